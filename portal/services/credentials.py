"""Remote-access credentials: Fernet-encrypted at rest, every view recorded, destroyed at the end (policy 8.5)."""
import json

from cryptography.fernet import Fernet, InvalidToken

from portal.services.errors import ServiceError
from portal.db import utcnow, write_tx
from portal.models import Credential, CredentialView
from portal.policy import TicketFacts
from portal.services import get_policy, setting
from portal.services.access import account_facts
from portal.services.session_rows import live_session

LIMITS = {"remote_id": 100, "password": 200, "notes": 1000}

class CredentialError(ServiceError):
    """Credentials that cannot be stored or revealed; `errors` maps form fields to messages."""


def _fernet():
    return Fernet(setting("CREDENTIALS_KEY").encode())


def _check(ticket, user, values):
    errors = {}
    submitter = account_facts(user)
    decision = get_policy().may_submit_credentials(submitter, TicketFacts(ticket.requester_id, ticket.is_open))
    if not decision:  # policy 8.5, 8.2
        errors["form"] = decision.reason
    for field, limit in LIMITS.items():
        if field != "notes" and not values[field]:
            errors[field] = "This is needed for the remote session."
        elif len(values[field]) > limit:
            errors[field] = f"At most {limit} characters."
    return errors


def store_credentials(ticket, user, remote_id, password, notes):
    """Encrypt and store credentials for a ticket; earlier live ones on it are destroyed (policy 8.5)."""
    values = {"remote_id": (remote_id or "").strip(), "password": password or "",
              "notes": (notes or "").strip()}
    errors = _check(ticket, user, values)
    if errors:
        raise CredentialError(errors)
    ciphertext = _fernet().encrypt(json.dumps(values).encode())
    with write_tx():
        _destroy(Credential.ticket == ticket)
        session = live_session(ticket)
        return Credential.create(ticket=ticket, session=session, submitted_by=user, ciphertext=ciphertext)


def reveal(credential, viewer):
    """Decrypt credentials for a staff member and record the view; CredentialError once destroyed."""
    with write_tx():
        fresh = Credential.get_by_id(credential.id)
        if fresh.ciphertext is None:
            raise CredentialError({"form": "These credentials were destroyed."})
        CredentialView.create(credential=fresh, viewer=viewer)
    try:
        return json.loads(_fernet().decrypt(bytes(fresh.ciphertext)))
    except InvalidToken:
        raise CredentialError({"form": "These credentials cannot be decrypted with the current key."}) from None


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
    return list(Credential.select(Credential.id, Credential.created_at, Credential.destroyed_at)
                .where(Credential.ticket == ticket)
                .order_by(Credential.id.desc()))
