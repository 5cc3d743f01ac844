"""Remote-access credentials: Fernet-encrypted at rest, every view recorded, destroyed at the end (policy 8.5)."""
import json

from cryptography.fernet import Fernet, InvalidToken

from portal.services.errors import FieldError, ServiceError
from portal import prepared
from portal.db import utcnow, write_tx
from portal.models import Credential, CredentialView
from portal.policy import TicketFacts
from portal.services import get_policy, setting
from portal.services.access import account_facts
from portal.services.session_rows import live_session

LIMITS = {"remote_id": 100, "password": 200, "notes": 1000}
OPTIONAL = ("notes",)


def _fernet():
    return Fernet(setting("CREDENTIALS_KEY").encode())


def _cleaned(field, value):
    return (value or "") if field == "password" else (value or "").strip()  # a password is as typed


def check_value(field, value):
    """One credentials field: the remote ID and password are needed, each within LIMITS;
    FieldError(field, why) when refused."""
    value = _cleaned(field, value)
    if field not in OPTIONAL and not value:
        raise FieldError(field, "This is needed for the remote session.")
    if len(value) > LIMITS[field]:
        raise FieldError(field, f"At most {LIMITS[field]} characters.")


def submit_refusal(ticket, user):
    """policy 8.5, 8.2: {"form": why} when this user may not send credentials for this ticket, else {}."""
    submitter = account_facts(user)
    decision = get_policy().may_submit_credentials(submitter, TicketFacts(ticket.requester_id, ticket.is_open))
    return {} if decision else {"form": decision.reason}


def _check(ticket, user, values):
    errors = submit_refusal(ticket, user)
    for field in LIMITS:
        try:
            check_value(field, values[field])
        except FieldError as exc:
            errors.update(exc.errors)
    return errors


def store_credentials(ticket, user, remote_id, password, notes):
    """Encrypt and store credentials for a ticket; earlier live ones on it are destroyed (policy 8.5)."""
    values = {field: _cleaned(field, value)
              for field, value in (("remote_id", remote_id), ("password", password), ("notes", notes))}
    errors = _check(ticket, user, values)
    if errors:
        raise ServiceError(errors)
    ciphertext = _fernet().encrypt(json.dumps(values).encode())
    with write_tx():
        _destroy(Credential.ticket == ticket)
        session = live_session(ticket)
        return Credential.create(ticket=ticket, session=session, submitted_by=user, ciphertext=ciphertext)


def reveal(credential, viewer):
    """Decrypt credentials for a staff member and record the view; ServiceError once destroyed."""
    with write_tx():
        fresh = Credential.get_by_id(credential.id)
        if fresh.ciphertext is None:
            raise ServiceError("These credentials were destroyed.")
        CredentialView.create(credential=fresh, viewer=viewer)
    try:
        return json.loads(_fernet().decrypt(bytes(fresh.ciphertext)))
    except InvalidToken:
        raise ServiceError("These credentials cannot be decrypted with the current key.") from None


def _destroy(where):
    return (Credential.update(ciphertext=None, destroyed_at=utcnow())
            .where(where & Credential.destroyed_at.is_null())
            .execute())


def destroy_for_ticket(ticket):
    """Destroy every live credential of a ticket (it closed); returns how many."""
    with write_tx():
        return _destroy(Credential.ticket == ticket)


def destroy_for_session(session):
    """Destroy the credentials of a remote session (it ended); returns how many."""
    with write_tx():
        return _destroy(Credential.session == session)


def received_for(ticket):
    """What the customer may know about their credentials: when sent and whether destroyed."""
    def query(ticket_id):
        return (Credential.select(Credential.id, Credential.created_at, Credential.destroyed_at)
                .where(Credential.ticket == ticket_id).order_by(Credential.id.desc()))
    return prepared.rows("credentials received", query, getattr(ticket, "id", ticket))
