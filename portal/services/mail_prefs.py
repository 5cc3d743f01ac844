"""Who hears of what (issue 14): the notification kinds, each person's choices, and the signed
one-click unsubscribe link every notification carries (RFC 8058).

Customers turn each kind on or off; a partner member also chooses which of the partner's tickets
they hear about: "mine" (filed or followed), "all" (every one they may see, policy 3.1 Decision),
or "none". No preference row means on. `notify` is the one way a ticket notification leaves:
it asks `recipients` (one query) and sends through runtime.send_template inside the caller's
transaction, so the outbox row commits with the change that caused it.
"""
import functools

from itsdangerous import BadSignature, URLSafeSerializer
from peewee import JOIN

from portal import prepared
from portal.db import utcnow, write_tx
from portal.models import MailPreference, PARTNER_ROLES, TicketParticipant, User
from portal.services import get_policy, links, runtime, setting
from portal.services.errors import FieldError, ServiceError

# the kinds a person may turn off, with the words of the account page
KINDS = {
    "ticket_received": "We received your ticket (number, level, first-response due)",
    "staff_reply": "Replies from support",
    "waiting_on_you": "Support waits for your answer",
    "ticket_solved": "Your ticket is solved",
    "session": "Remote sessions scheduled, moved or cancelled (with the calendar file)",
    "bug_news": "News about a bug linked to your ticket (ETA, workaround, fix)",
}
# kinds that are not notifications a reader subscribed to: never unsubscribable
TRANSACTIONAL = ("partner_invite",)
PARTNER_CHOICES = {
    "mine": "Only tickets I filed or follow",
    "all": "All the partner's tickets I may see",
    "none": "None of the partner's tickets",
}
UNKNOWN_KIND = "That is not a kind of mail the portal sends."
BAD_TOKEN = "This unsubscribe link is damaged or was not made by this portal; use the one in the mail, or your account page."
UNKNOWN_CHOICE = "Choose mine, all or none."
ACCOUNT_PATH = "/account/"  # where the choices are (portal.web.account)
_SALT = "portal-mail-unsubscribe"  # its own salt: no other signed value of the portal is a valid token


def check_kind(kind):
    if kind not in KINDS:
        raise FieldError("kind", UNKNOWN_KIND)
    return kind


def _partner_member(user, ticket):
    return (ticket is not None and ticket.partner_id is not None and user.role == "reseller"
            and user.partner_id == ticket.partner_id)


def wants(user, kind, ticket=None) -> bool:
    """Does `user` want mail of `kind` about `ticket` (the person-by-person form of `recipients`:
    they are its requester or participant, or a partner member who chose all its tickets, and did
    not turn `kind` off)? Transactional mail always goes out."""
    if kind in TRANSACTIONAL:
        return True
    check_kind(kind)
    if not user.is_active_account:
        return False
    off = (MailPreference.select().where((MailPreference.user == user.id) & (MailPreference.kind == kind)
                                         & (MailPreference.enabled == False)).exists())  # noqa: E712
    if off:
        return False
    if ticket is None:  # mail about no ticket: the preference alone decides
        return True
    member = _partner_member(user, ticket)
    if member and user.partner_mail == "none":
        return False
    mine = user.id == ticket.requester_id or TicketParticipant.select().where(
        (TicketParticipant.ticket == ticket.id) & (TicketParticipant.user == user.id)).exists()
    if mine:
        return True
    return member and user.partner_mail == "all" and bool(_sees_colleagues_ticket(user.partner_role, ticket))


def _sees_colleagues_ticket(role, ticket):
    """policy 3.1 Decision: may a member in `role` see a ticket a colleague filed?"""
    return get_policy().can_see_partner_ticket(ticket.partner_id, role, None, ticket.partner_id, ticket.requester_id)


def recipients(ticket, kind):
    """The people to mail about `ticket`: its requester, its participants and, as each chose, the
    partner's members, without those who turned `kind` off. One query, ordered by email."""
    check_kind(kind)
    if ticket.partner_id is None:  # most tickets, every filing: one shape, its SQL text made once
        return prepared.rows("recipients", _recipients, ticket.requester_id, ticket.id, kind)
    return list(_recipients(ticket.requester_id, ticket.id, kind, ticket))


def _recipients(requester_id, ticket_id, kind, ticket=None):
    """The query of recipients(); `ticket` for a partner's ticket only (whose members it adds)."""
    following = TicketParticipant.select(TicketParticipant.user).where(TicketParticipant.ticket == ticket_id)
    mine = (User.id == requester_id) | User.id.in_(following)
    if ticket is not None and ticket.partner_id is not None:
        member = (User.role == "reseller") & (User.partner == ticket.partner_id)
        roles = [role for role in PARTNER_ROLES if _sees_colleagues_ticket(role, ticket)]
        everyone = member & (User.partner_mail == "all") & User.partner_role.in_(roles) if roles else None
        # a member who chose "none" hears nothing of the partner's tickets, not even their own
        mine = mine & ~(member & (User.partner_mail == "none"))
        if everyone is not None:
            mine = mine | everyone
    return (User.select(User)
            .join(MailPreference, JOIN.LEFT_OUTER,
                  on=((MailPreference.user == User.id) & (MailPreference.kind == kind)))
            .where(mine & User.is_active_account
                   & (MailPreference.id.is_null() | (MailPreference.enabled == True)))  # noqa: E712
            .order_by(User.email))


# -- unsubscribe -------------------------------------------------------------------------------
def _serializer():
    return URLSafeSerializer(setting("SECRET_KEY"), salt=_SALT)


def unsubscribe_token(user, kind):
    """A signed token naming the user and the kind; no expiry: an old mail's link keeps working."""
    return _token(setting("SECRET_KEY"), user.id, check_kind(kind))


@functools.lru_cache(maxsize=4096)
def _token(secret, user_id, kind):
    # the same three give the same token (no timestamp, no salt of its own): signed once per
    # process, not for every mail's link and header (issue 16); the key is in the cache's key,
    # so a test app or a rotated key never reads another key's tokens
    return URLSafeSerializer(secret, salt=_SALT).dumps({"u": user_id, "k": kind})


def unsubscribe_path(token):
    return f"/account/unsubscribe/{token}"  # portal.web.account.unsubscribe


def unsubscribe_url(user, kind):
    return links.absolute(unsubscribe_path(unsubscribe_token(user, kind)))


def headers(user, kind):
    """RFC 8058 headers: mail clients offer a one-click POST to the link."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read_token(token):
    """(user, kind) a token names, or ServiceError({"token": BAD_TOKEN}) when it was tampered with."""
    try:
        data = _serializer().loads(token or "")
        user = User.get_or_none(User.id == int(data["u"]))
        kind = check_kind(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError, FieldError):
        raise ServiceError({"token": BAD_TOKEN}) from None
    if user is None:
        raise ServiceError({"token": BAD_TOKEN})
    return user, kind


def unsubscribe(token):
    """Turn the token's kind off for its user; again is the same (idempotent). Returns (user, kind)."""
    user, kind = read_token(token)
    with write_tx():
        _set(user, kind, False)
    return user, kind


def _set(user, kind, enabled):
    (MailPreference.insert(user=user.id, kind=kind, enabled=enabled, updated_at=utcnow())
     .on_conflict(conflict_target=[MailPreference.user, MailPreference.kind],
                  update={MailPreference.enabled: enabled, MailPreference.updated_at: utcnow()})
     .execute())


# -- the account page --------------------------------------------------------------------------
def choices(user):
    """{kind: on?} for every kind in KINDS."""
    off = {p.kind for p in MailPreference.select(MailPreference.kind)
           .where((MailPreference.user == user.id) & (MailPreference.enabled == False))}  # noqa: E712
    return {kind: kind not in off for kind in KINDS}


def is_partner_member(user):
    return user.role == "reseller" and user.partner_id is not None


def save(user, enabled, partner_mail=None):
    """Save the account page's choices: `enabled` {kind: bool}; `partner_mail` for partner members."""
    if partner_mail is not None and partner_mail not in PARTNER_CHOICES:
        raise FieldError("partner_mail", UNKNOWN_CHOICE)
    with write_tx():
        for kind in KINDS:
            _set(user, kind, bool(enabled.get(kind)))
        if partner_mail is not None and is_partner_member(user):
            User.update(partner_mail=partner_mail).where(User.id == user.id).execute()
            user.partner_mail = partner_mail
    return choices(user)


# -- sending -----------------------------------------------------------------------------------
def notify(ticket, kind, template, per_reader=None, auto=True, queued_at=None, **context):
    """Mail `template` about `ticket` to each of `recipients(ticket, kind)`, each with their own
    unsubscribe link and headers; `per_reader(person)` gives more context for one reader (times in
    their zone; "attachments": a calendar file); `auto=False` for what a person wrote (a staff reply:
    the reader's autoresponder may answer it, as any mail). Call it inside the transaction of the change, so
    the outbox row commits (or rolls back) with it. `queued_at`: when the change happened, if
    earlier than now (a notice the sender writes: mail_notices). Returns the people mailed."""
    people = recipients(ticket, kind)
    for person in people:
        extra = dict(per_reader(person)) if per_reader else {}
        files = extra.pop("attachments", ())
        runtime.current().send_template(
            person.email, template, kind=kind, ticket=ticket, auto=auto, headers=headers(person, kind),
            queued_at=queued_at,
            attachments=files, reader=person, link=links.ticket_url(ticket),
            unsubscribe=unsubscribe_url(person, kind), account=links.absolute(ACCOUNT_PATH), **{**context, **extra})
    return people
