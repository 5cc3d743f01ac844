"""Inviting colleagues into a partner (policy 3.1 Decision): a manager invites an address, the
colleague follows the mailed link, sets a password and is a member.

The link carries a random secret signed with the app's key (itsdangerous, as the password
reset links are) and valid for INVITE_HOURS; only the secret's SHA-256 is stored, so the
database alone cannot make a working link. Sending an invite again makes a new secret (the
old link stops working); accepting marks it used with one conditional UPDATE, so of two
accepts arriving at once exactly one creates the account.
"""
import datetime
import hashlib
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from peewee import IntegrityError

from portal.db import utcnow, write_tx
from portal.models import PARTNER_ROLES, PartnerInvite, User
from portal.passwords import hash_password
from portal.services import accounts, audit, runtime, setting
from portal.services.errors import Conflict, FieldError, NotFound, ServiceError
from portal.services.links import absolute
from portal.services.partners import ROLE_CHOICE, locked_partner, reseller_level

INVITE_HOURS = 72
TAKEN = "This address already has an account on the portal. Ask support to move it to your partner."
CUSTOMER_TAKEN = ("This address already has a customer account. Ask support to move it to your partner: "
                  "a customer account cannot be invited.")


class InviteLinkError(ServiceError):
    """The invitation link cannot be used; the message says why and what to do."""

    def __init__(self, message):
        super().__init__({"form": message}, 400)


def invite_path(token):
    """The accept page of an invitation (`partner.accept_invite`)."""
    return f"/partner/invite/{token}"


def _serializer():
    return URLSafeTimedSerializer(setting("SECRET_KEY"), salt="portal-partner-invite")


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret():
    """(signed token for the link, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return _serializer().dumps(secret), _digest(secret)


def _deadline(now):
    return now + datetime.timedelta(hours=INVITE_HOURS)


def _send(invite, token, partner, actor):
    # kind only: an invitation is not a notification anyone subscribed to, so no unsubscribe link
    runtime.current().send_template(invite.email, "partner_invite", kind="partner_invite", partner=partner.name, inviter=actor.name,
                                    role=invite.role, hours=INVITE_HOURS, link=absolute(invite_path(token)))


def pending(partner):
    """The partner's invitations not yet accepted or withdrawn (expired ones too), newest first."""
    return list(PartnerInvite.select()
                .where((PartnerInvite.partner == partner) & PartnerInvite.used_at.is_null()
                       & PartnerInvite.revoked_at.is_null())
                .order_by(PartnerInvite.created_at.desc(), PartnerInvite.id.desc()))


def _refuse_address(partner, email):
    """Why `email` cannot be invited into `partner`, or None (asked inside the transaction)."""
    existing = User.by_email(email)
    if existing is not None:
        if existing.partner_id == partner.id and existing.is_active:
            return "This address is already a member of your partner."
        return CUSTOMER_TAKEN if existing.role == "customer" else TAKEN
    waiting = PartnerInvite.select().where(
        (PartnerInvite.partner == partner) & (PartnerInvite.email == email) & PartnerInvite.used_at.is_null()
        & PartnerInvite.revoked_at.is_null() & (PartnerInvite.expires_at > utcnow()))
    if waiting.exists():
        return "An invitation to this address is already waiting; send it again from the list instead."
    return None


def invite(actor, email, role):
    """A manager invites a colleague by email; the invitation is mailed at once (policy 3.1)."""
    email = accounts.normalise_email(email)
    if role not in PARTNER_ROLES:
        raise FieldError("role", ROLE_CHOICE)
    token, digest = _new_secret()
    with write_tx():
        partner = locked_partner(actor)
        problem = _refuse_address(partner, email)
        if problem:
            raise FieldError("email", problem)
        now = utcnow()
        created = PartnerInvite.create(partner=partner, email=email, role=role, token_hash=digest,
                                       invited_by=actor.id, created_at=now, expires_at=_deadline(now))
        audit.record(actor, "partner.invite", "partner", partner.id, f"invited {email} as {role}")
        _send(created, token, partner, actor)  # inside: the outbox row commits with the invitation
    return created


def _open_invite(partner, invite_id):
    found = PartnerInvite.get_or_none((PartnerInvite.id == invite_id) & (PartnerInvite.partner == partner))
    if found is None:
        raise NotFound("That invitation")
    return found


def resend(actor, invite_id):
    """Send an invitation again with a new link, valid INVITE_HOURS from now; the old link stops working."""
    token, digest = _new_secret()
    with write_tx():
        partner = locked_partner(actor)
        found = _open_invite(partner, invite_id)
        renewed = (PartnerInvite.update(token_hash=digest, expires_at=_deadline(utcnow()))
                   .where((PartnerInvite.id == found.id) & PartnerInvite.used_at.is_null()
                          & PartnerInvite.revoked_at.is_null()).execute())
        if not renewed:
            raise Conflict("This invitation was accepted or withdrawn meanwhile.")
        audit.record(actor, "partner.invite_resend", "partner", partner.id, f"sent again to {found.email}")
        _send(found, token, partner, actor)
    return PartnerInvite.get_by_id(found.id)


def revoke(actor, invite_id):
    """Withdraw an invitation: its link stops working."""
    with write_tx():
        partner = locked_partner(actor)
        found = _open_invite(partner, invite_id)
        withdrawn = (PartnerInvite.update(revoked_at=utcnow())
                     .where((PartnerInvite.id == found.id) & PartnerInvite.used_at.is_null()
                            & PartnerInvite.revoked_at.is_null()).execute())
        if not withdrawn:
            raise Conflict("This invitation was accepted or withdrawn meanwhile.")
        audit.record(actor, "partner.invite_revoke", "partner", partner.id, f"withdrew the invitation of {found.email}")
    return found


def read_invite(token):
    """The invitation a link names, or InviteLinkError saying why it cannot be used."""
    try:
        secret = _serializer().loads(token or "", max_age=INVITE_HOURS * 3600)
    except SignatureExpired:
        raise InviteLinkError("This invitation has expired. Ask the colleague who invited you to send it again.") \
            from None
    except BadSignature:
        raise InviteLinkError("This invitation link is not valid. Check that you copied all of it.") from None
    found = PartnerInvite.get_or_none(PartnerInvite.token_hash == _digest(str(secret)))
    if found is None:
        raise InviteLinkError("This invitation link was replaced by a newer one: use the newest mail.")
    if found.used_at is not None:
        raise InviteLinkError("This invitation has already been used. Log in instead.")
    if found.revoked_at is not None:
        raise InviteLinkError("This invitation was withdrawn.")
    if found.expires_at <= utcnow():
        raise InviteLinkError("This invitation has expired. Ask the colleague who invited you to send it again.")
    return found


def accept(token, password, confirm, display_name=""):
    """The invited colleague sets a password: a verified reseller account, member of the partner
    in the invited role (the mailed link proves the address). Exactly one accept wins."""
    found = read_invite(token)
    accounts.check_new_password(password, confirm)
    name = accounts.clean_name(display_name)
    hashed = hash_password(password)  # slow: before the write lock
    level, reason = reseller_level()
    try:
        with write_tx():
            now = utcnow()
            won = (PartnerInvite.update(used_at=now)
                   .where((PartnerInvite.id == found.id) & (PartnerInvite.token_hash == found.token_hash)
                          & PartnerInvite.used_at.is_null() & PartnerInvite.revoked_at.is_null()
                          & (PartnerInvite.expires_at > now)).execute())
            if not won:
                raise InviteLinkError("This invitation has already been used or was withdrawn.")
            user = User.create(email=found.email, password_hash=hashed, role="reseller", display_name=name,
                               verified_at=now, level=level, level_reason=reason,
                               partner=found.partner_id, partner_role=found.role)
            audit.record(user, "partner.accept", "partner", found.partner_id, f"{found.email} joined as {found.role}")
    except IntegrityError:  # the address got an account after the invitation was sent
        raise InviteLinkError(TAKEN) from None
    return user
