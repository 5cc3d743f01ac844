"""Ticket use cases: file, read, reply, change status, ask for remote support (policy 1.2-8.5)."""
import functools
import re
from collections import namedtuple
from dataclasses import dataclass

from peewee import JOIN, IntegrityError

from portal import prepared, prepared_writes
from portal.db import db, lock_for_update, utcnow, write_tx
from portal.models import (PRODUCTS, STATUSES, Attachment, Bug, License, Message, Partner, Release, RemoteSession,
                           Ticket, User)
from portal.services import (attachments, credentials, get_policy, licenses, mail_notices, mail_prefs, partner_tickets,
                             session_mail, session_rows)
from portal.services.errors import Conflict, FieldError, NotFound, ServiceError
from portal.services.access import account_facts
from portal.services.paging import page_of

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE_SIZE = 20
SUBJECT_LENGTH = (3, 200)
BODY_LENGTH = (10, 20_000)
REPLY_MAX = 20_000
PRODUCT_REFUSED = f"Choose {' or '.join(PRODUCTS)}."  # policy 1.1
VERSION_REFUSED = "Write the version as four numbers, like 7.6.2.0 (policy 7.1)."


def secret_errors(author, fields):
    """policy 8.5: credentials in ticket text (subject, body), judged as a reader sees them.

    Messages are kept for good and mailed; credentials have their own encrypted form, so
    text that carries them is refused and nothing is stored. Staff are trusted here.
    Returns {field: reason} for the fields that carry a secret."""
    policy = get_policy()
    if author.is_staff or not policy.decisions.ticket_secret_guard:
        return {}
    errors = {}
    for field, text in fields.items():
        finding = policy.find_secrets(text or "", channel="ticket")
        if finding.found:
            errors[field] = finding.reason
    return errors


def detect_language(text):
    """policy 4.2: is the request in English?"""
    return get_policy().detect_language(text)


def judge_version(product, version):
    """policy 7.2: the verdict on a product version against the known releases (read afresh)."""
    return _verdict(get_policy(), version, tuple(Release.versions(product)))


@functools.lru_cache(maxsize=512)
def _verdict(policy, version, releases):
    # a function of these alone (a verdict is immutable): every ticket page judged its version anew
    return policy.judge_version(version, releases)


def needs_policy_acceptance(user):
    """policy 1.2 Decision: accepted on the first ticket, and again when the policy version changes."""
    policy = get_policy()
    mode = policy.decisions.policy_acceptance
    if mode == "off":
        return False
    if user.policy_accepted_at is None:
        return True
    return mode == "each_version" and user.policy_version != policy.version


# One rule per field of a new ticket or a reply: FieldError(field, why) when refused. The forms
# run the same rules (portal/web/forms/tickets.py), so a page and the service say the same.

def check_product(product):
    """policy 1.1: one of the two supported products."""
    if product not in PRODUCTS:
        raise FieldError("product", PRODUCT_REFUSED)


def check_version(version):
    """policy 7.1: no version, or four numbers (how current it is is judge_version's verdict)."""
    version = (version or "").strip()
    if version and get_policy().judge_version(version, ()).status == "invalid":
        raise FieldError("version", VERSION_REFUSED)


def check_subject(subject):
    subject, (low, high) = (subject or "").strip(), SUBJECT_LENGTH
    if not low <= len(subject) <= high:
        raise FieldError("subject", "Give the ticket a subject." if not subject
                         else f"Give a subject of {low} to {high} characters.")


def check_body(body):
    body, (low, high) = (body or "").strip(), BODY_LENGTH
    if not low <= len(body) <= high:
        raise FieldError("body", "Describe the problem." if not body
                         else f"Describe the problem in {low} to {high:,} characters.")


def check_acceptance(requester, accepted):
    """policy 1.2: the support policy accepted when the requester is asked to."""
    if needs_policy_acceptance(requester) and not accepted:
        raise FieldError("accept_policy", "Please accept the support policy to file a ticket (policy 1.2).")


def check_reply(body):
    body = (body or "").strip()
    if not body:
        raise FieldError("body", "Write a reply.")
    if len(body) > REPLY_MAX:
        raise FieldError("body", f"Replies are limited to {REPLY_MAX:,} characters; this one has {len(body):,}.")


def _refusals(*rules):
    """{field: why} of every rule (a callable) that refuses."""
    errors = {}
    for rule in rules:
        try:
            rule()
        except FieldError as exc:
            errors.update(exc.errors)
    return errors


def _check_new(requester, product, version, subject, body, accept_policy, for_requester=True):
    errors = {}
    decision = get_policy().may_open_ticket(account_facts(requester))
    if not decision:
        errors["form"] = decision.reason
    rules = [lambda: check_product(product), lambda: check_version(version),
             lambda: check_subject(subject), lambda: check_body(body)]
    if for_requester:  # staff filing for the requester do not accept the policy for them (1.2)
        rules.append(lambda: check_acceptance(requester, accept_policy))
    errors |= _refusals(*rules)
    verdict = judge_version(product, version) if version else None
    secret = secret_errors(requester, {"subject": subject, "body": body})
    for field, reason in secret.items():
        errors.setdefault(field, reason)
    return errors, verdict, bool(secret)


def _existing(token, requester):
    if token is None:
        return None
    # two narrow columns on the hot path (a miss); the whole ticket only for a double submit
    hit = prepared.first("submit token", lambda value: Ticket.select(Ticket.id, Ticket.requester)
                         .where(Ticket.submit_token == value).limit(1), token)
    if hit is not None and hit.requester_id != requester.id:
        raise FieldError("form", "This form was already used. Reload the page and try again.")
    return prepared.first("ticket by id", _by_id, hit.id) if hit is not None else None


@dataclass(frozen=True)
class NewTicket:
    """A ticket that passed every check (check_new_ticket), ready for insert_ticket."""
    requester: User
    product: str
    version: str
    subject: str
    body: str
    verdict: object = None        # the policy's verdict on the version (7.2), None without one
    records_acceptance: bool = False  # the requester accepted the policy with it (1.2)
    end_customer: object = None   # a partner member's EndCustomer (policy 3.1 Decision), or None


def _end_customer(requester, end_customer, errors):
    """policy 3.1 Decision: whom a partner member's ticket is for ((license id, company, email))."""
    try:
        return partner_tickets.check_end_customer(requester, *end_customer)
    except FieldError as exc:
        errors.update(exc.errors)
        return None


def _checked(requester, product, version, subject, body, accept_policy, for_requester, end_customer=()):
    """(NewTicket, errors, secret): the checks of a new ticket, the requester's level refreshed first."""
    licenses.refresh_level(requester)  # policy 2.1, 3.4: the level as of today (licenses expire, start)
    product, version = (product or "").strip(), (version or "").strip()
    subject, body = (subject or "").strip(), (body or "").strip()
    errors, verdict, secret = _check_new(requester, product, version, subject, body, accept_policy,
                                         for_requester)
    customer = _end_customer(requester, end_customer, errors)
    new = NewTicket(requester, product, version, subject, body, verdict,
                    records_acceptance=for_requester and accept_policy, end_customer=customer)
    return new, errors, secret


def check_new_ticket(requester, product, version, subject, body, accept_policy=False, for_requester=True):
    """The check step of filing a ticket: a NewTicket, or ServiceError with every refusal.

    `for_requester=False` is staff filing on the requester's behalf (a converted thread): the
    requester has not accepted the policy then, so it is neither asked for nor recorded (1.2).
    It may run inside the caller's transaction (the level refresh then writes in it)."""
    new, errors, secret = _checked(requester, product, version, subject, body, accept_policy, for_requester)
    if errors:
        raise ServiceError(errors, secret=secret)
    return new


def create_ticket(requester, product, version, subject, body, files=(), submit_token=None,
                  accept_policy=False, end_customer=()):
    """File a ticket; the same submit_token returns the ticket already filed (double click).

    `end_customer` is a partner member's (license id, company, email): one of the partner's
    licenses, or the customer's company and contact address (policy 3.1 Decision)."""
    token = submit_token if submit_token and TOKEN_RE.match(submit_token) else None
    found = _existing(token, requester)
    if found is not None:
        return found
    new, errors, secret = _checked(requester, product, version, subject, body, accept_policy, True,
                                   end_customer)
    uploads, names = _accepted_uploads(files, errors, secret)
    try:
        with write_tx():
            return insert_ticket(new, uploads, names, token)
    except IntegrityError:
        # the same form filed meanwhile (a double click racing this one past the look-up above):
        # the token's unique index refused the second ticket and the transaction rolled back,
        # its mail and files with it; the first ticket is the answer
        attachments.remove_files(names)
        found = _existing(token, requester)
        if found is None:
            raise
        return found
    except Exception:
        attachments.remove_files(names)
        raise


def insert_ticket(new, uploads=(), names=(), token=None):
    """The insert step of filing a ticket: the ticket, its first message and files, and the
    requester's policy acceptance when they gave it. Runs inside the caller's transaction, so a
    caller doing more (a thread converted) commits all of it or nothing."""
    if not db.in_transaction():
        raise RuntimeError("insert_ticket runs inside the caller's write_tx()")
    policy, now = get_policy(), utcnow()
    requester = new.requester
    level, reason = policy.effective_level(requester.level), requester.level_reason  # 2.1: none is FREE
    partner = partner_tickets.partner_fields(requester, new.end_customer)
    if partner:  # policy 3.1 Decision, 3.4, 2.1: the band, or a current end-customer license
        decided = partner_tickets.ticket_level(new.end_customer)
        level, reason = decided.level, decided.reason
    lang = detect_language(f"{new.subject}\n{new.body}")
    ticket = prepared_writes.create(
        Ticket, requester=requester, product=new.product, version=new.version, subject=new.subject,
        version_status=new.verdict.status if new.verdict else "unknown", level=level,
        level_reason=(reason or "")[:200], **partner,
        rank_band=policy.rank_band("ticket", level), opened_at=now,
        due_at=policy.first_response_due(now, level),
        policy_version=policy.version, language=(lang.language or "")[:8],
        is_english=lang.is_english, submit_token=token, updated_at=now)
    message = prepared_writes.create(Message, ticket=ticket, author=requester, body=new.body, created_at=now)
    attachments.record(ticket, message, requester, uploads, names)
    # the readers and their mail are the sender's work (a sixth of a filing's: mail_notices)
    mail_notices.later(ticket, "ticket_received", "ticket_received", reader="ticket_due",
                       level=policy.level_label(level))
    if new.records_acceptance and needs_policy_acceptance(requester):  # policy 1.2: time and version
        User.update(policy_accepted_at=now, policy_version=policy.version).where(
            User.id == requester.id).execute()
    return ticket


def may_see(user, ticket):
    """The requester and staff may see a ticket, and members of its partner as `[partners]
    visibility` says (policy 3.1 Decision); nobody else (a Decision, truthy when allowed)."""
    decision = get_policy().may_see_ticket(account_facts(user), ticket.requester_id)
    if decision or not getattr(user, "is_authenticated", False):
        return decision
    return partner_tickets.may_see(user, ticket)


def _with_people():
    """Tickets with their requester and assignee, and a partner ticket's partner and license, in one query."""
    owner, helper = User.alias(), User.alias()
    # of the assignee what the page shows (a user row is some 20 columns, each read per page)
    return (Ticket.select(Ticket, owner, helper.id, helper.email, helper.display_name, helper.role, Partner, License)
            .join_from(Ticket, owner, on=(Ticket.requester == owner.id), attr="requester")
            .join_from(Ticket, helper, on=(Ticket.assignee == helper.id), join_type=JOIN.LEFT_OUTER,
                       attr="assignee")
            .join_from(Ticket, Partner, JOIN.LEFT_OUTER, on=(Ticket.partner == Partner.id), attr="partner")
            .join_from(Ticket, License, JOIN.LEFT_OUTER, on=(Ticket.license == License.id), attr="license"))


def get_ticket_for(user, ticket_id, with_people=False):
    """The ticket, or NotFound (404) for anyone who may not see it: the one loader of every ticket
    URL, the staff pages' included (`with_people` joins who and what the staff page shows)."""
    if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):  # every page: SQL text made once
        ticket = prepared.first("ticket+people" if with_people else "ticket",
                                lambda tid: _by_id(tid, with_people), ticket_id)
    else:
        query = _with_people() if with_people else Ticket.select()
        ticket = query.where(Ticket.id == ticket_id).first()
    if ticket is None or not may_see(user, ticket):
        raise NotFound("That ticket")
    return ticket


def _by_id(ticket_id, with_people=False):
    query = _with_people() if with_people else Ticket.select()
    return query.where(Ticket.id == ticket_id).limit(1)


def _conversation(ticket_id, staff=False):
    # of the author only what the pages show (name, staff or not): a user row is some 25 columns
    query = (Message.select(Message, User.id, User.email, User.display_name, User.role)
             .join(User, on=(Message.author == User.id))
             .where(Message.ticket == ticket_id))
    if not staff:
        query = query.where(~Message.internal)
    return query.order_by(Message.created_at, Message.id)


def _files(ticket_id):
    return Attachment.select().where(Attachment.ticket == ticket_id).order_by(Attachment.id)


def messages_for(ticket, user):
    """The conversation as this user may see it (internal notes only for staff), each message's
    `attachments` a list: two queries whatever the length of the conversation (authors joined,
    the ticket's files read at once), their SQL text made once per process."""
    staff = bool(user.is_staff)
    messages = prepared.rows("conversation+notes" if staff else "conversation",
                             lambda tid: _conversation(tid, staff), ticket.id)
    by_message = {}
    for file in prepared.rows("ticket files", _files, ticket.id):
        by_message.setdefault(file.message_id, []).append(file)
    for message in messages:
        message.attachments = by_message.get(message.id, [])
    return messages


def _is_staff_author(ticket, author):
    return author.is_staff and author.id != ticket.requester_id


def _accepted_uploads(files, errors, secret=False):
    """Check the files (attachments.Incoming) and raise ServiceError with every form error at
    once; else store them."""
    try:
        uploads = attachments.check_uploads(files)
    except FieldError as exc:
        errors.update(exc.errors)
    if errors:
        raise ServiceError(errors, secret=secret)
    return uploads, attachments.write_files(uploads)


HELD = "Someone else replied or changed the status since you opened this ticket; your reply was not sent."


def add_reply(ticket, author, body, internal=False, files=(), notify=True, seen_revision=None):
    """Add a message; the first public staff reply records the first response (policy 2.1).

    A public staff reply is mailed (mail_requester): the mail is an outbox row written in the
    reply's transaction; `notify=False` leaves that to a caller that sends it in its own
    transaction (assign.respond) or sends other news instead (bug news). `seen_revision` is the ticket's
    revision its author saw: when another customer-visible reply or status change landed since,
    nothing is written and Conflict({"revision": HELD}) says so (the optimistic reply check)."""
    body = (body or "").strip()
    staff = _is_staff_author(ticket, author)
    errors = {}
    # policy 3.1 Decision: the partner's members who see its ticket may answer on it too
    if not staff and ticket.requester_id != author.id and not partner_tickets.may_see(author, ticket):
        raise NotFound("That ticket")
    if internal and not staff:
        internal = False
    errors |= _refusals(lambda: check_reply(body))
    if ticket.status == "closed" and not staff:
        errors["body"] = "This ticket is closed. Reopen it to reply."
    secret = secret_errors(author, {"body": body}) if not errors else {}
    errors.update(secret)
    uploads, names = _accepted_uploads(files, errors, bool(secret))
    try:
        message = _insert_reply(ticket, author, body, internal, staff, uploads, names, seen_revision,
                                notify=staff and not internal and notify)
    except Exception:
        attachments.remove_files(names)
        raise
    return message


def bump_revision(ticket_id, seen=None):
    """Count one customer-visible change of the ticket (inside the caller's transaction). With
    `seen`, only if the revision is still that one: a conditional UPDATE whose row count decides,
    so of two replies written against the same revision exactly one lands (the other waits for
    the row on PostgreSQL and then matches nothing; SQLite's IMMEDIATE transaction serialises).
    Returns the new revision, or None when `seen` is no longer current."""
    query = Ticket.update(revision=Ticket.revision + 1).where(Ticket.id == ticket_id)
    if seen is not None:
        query = query.where(Ticket.revision == seen)
    if query.execute() != 1:
        return None
    return Ticket.select(Ticket.revision).where(Ticket.id == ticket_id).scalar()


def _insert_reply(ticket, author, body, internal, staff, uploads, names, seen_revision=None, notify=False):
    now = utcnow()
    with write_tx():
        revision = None
        if not internal:  # an internal note changes nothing the customer sees: no revision
            revision = bump_revision(ticket.id, seen_revision)
            if revision is None:
                raise Conflict({"revision": HELD})
        fresh = Ticket.get_by_id(ticket.id)
        revision = fresh.revision if revision is None else revision
        message = Message.create(ticket=fresh, author=author, body=body, internal=internal, created_at=now)
        attachments.record(fresh, message, author, uploads, names)
        changes = {"updated_at": now}
        first = staff and not internal and _record_first_response(fresh, now)
        if staff and not internal:
            changes.update(awaiting_staff=False, status="waiting" if fresh.is_open else fresh.status)
        elif not staff:
            changes["awaiting_staff"] = True
            if fresh.status in ("waiting", "solved"):
                changes["status"] = "open"
        Ticket.update(**changes).where(Ticket.id == fresh.id).execute()
        if notify:  # in the transaction: the mail's outbox row commits with the reply
            mail_requester(fresh, author, body)
    if first:
        changes.update(first_response_at=now, first_response_met=now <= fresh.due_at)
    changes["revision"] = revision
    for name, value in changes.items():
        setattr(ticket, name, value)
    return message


def _record_first_response(ticket, now):
    """policy 2.1: set the first response only if none is recorded yet (a conditional UPDATE, so
    two staff replies racing on PostgreSQL cannot both set it or flip first_response_met)."""
    return (Ticket.update(first_response_at=now, first_response_met=(Ticket.due_at >= now))
            .where((Ticket.id == ticket.id) & Ticket.first_response_at.is_null())
            .execute()) == 1


def mail_requester(ticket, author, body):
    """Mail a staff reply to the requester, the colleagues who follow the ticket (policy 3.1
    Decision) and the partner members who chose all its tickets, as each one's preferences say:
    the reply text and a link, never credentials. Call it inside the reply's transaction."""
    mail_prefs.notify(ticket, "staff_reply", "staff_reply", auto=False, author=author, body=body)


STATUS_MAIL = {"waiting": "waiting_on_you", "solved": "ticket_solved"}  # kind = template


def set_status(ticket, actor, status):
    """Change a ticket's status; closing destroys its credentials, cancels pending sessions and
    ends a running one (policy 8.5)."""
    if status not in STATUSES:
        raise FieldError("status", f"Status must be one of {', '.join(STATUSES)}.")
    if not may_see(actor, ticket):
        raise NotFound("That ticket")
    if not actor.is_staff and status not in ("closed", "open"):
        raise FieldError("status", "You can close or reopen your ticket.")
    # a customer's waiting ticket turns open by their reply (add_reply, which puts it back in the queue)
    if not actor.is_staff and status == "open" and ticket.is_open:
        raise FieldError("status", "This ticket is already open.")
    now = utcnow()
    with write_tx():
        changes = {"status": status, "updated_at": now}
        if status == "open" and ticket.status in ("solved", "closed"):
            changes["awaiting_staff"] = True
        before = lock_for_update(Ticket.select(Ticket.status).where(Ticket.id == ticket.id)).scalar()
        Ticket.update(**changes).where(Ticket.id == ticket.id).execute()
        changes["revision"] = bump_revision(ticket.id)  # the customer sees a status change
        if actor.is_staff and status in STATUS_MAIL and before != status:
            fresh = Ticket.get_by_id(ticket.id)
            mail_prefs.notify(fresh, STATUS_MAIL[status], STATUS_MAIL[status], actor=actor)
        withdrawn = []
        if status == "closed":  # policy 8.5: no session outlives its ticket; credentials destroyed
            withdrawn = [s.id for s in lock_for_update(RemoteSession.select(RemoteSession.id).where(
                (RemoteSession.ticket == ticket) & (RemoteSession.status == "scheduled")))]
            if withdrawn:  # their calendar CANCEL outranks the REQUESTs sent before
                (RemoteSession.update(status="cancelled", ended_at=now, sequence=RemoteSession.sequence + 1)
                 .where(RemoteSession.id.in_(withdrawn)).execute())
            (RemoteSession.update(status="cancelled", ended_at=now)
             .where((RemoteSession.ticket == ticket) & (RemoteSession.status == "requested"))
             .execute())
            (RemoteSession.update(status="ended", ended_at=now)
             .where((RemoteSession.ticket == ticket) & (RemoteSession.status == "running"))
             .execute())
            credentials.destroy_for_ticket(ticket)
        for session in (session_rows.with_agent(RemoteSession.id.in_(withdrawn)) if withdrawn else ()):
            session_mail.cancelled(session)  # the invitations sent are withdrawn (iCalendar CANCEL)
    for name, value in changes.items():
        setattr(ticket, name, value)
    return ticket


def close_ticket(ticket, user):
    """The requester closes their ticket."""
    if ticket.status == "closed":
        raise FieldError("status", "This ticket is already closed.")
    return set_status(ticket, user, "closed")


def reopen_ticket(ticket, user):
    """The requester reopens a solved or closed ticket."""
    if ticket.is_open:
        raise FieldError("status", "This ticket is already open.")
    return set_status(ticket, user, "open")


def bug_of(ticket):
    """The bug a ticket is linked to (policy 5.2, 5.3), or None."""
    if ticket.bug_id is None:
        return None
    return prepared.first("bug", lambda bug_id: Bug.select().where(Bug.id == bug_id).limit(1), ticket.bug_id)


def live_session(ticket):
    """The ticket's requested, scheduled or running remote session, if any."""
    return session_rows.live_session(ticket)


def remote_decision(user):
    """policy 8.2 / 3.3: may this account ask for remote support, and why (not)."""
    return get_policy().may_request_remote(account_facts(user))


CLOSED_FOR_REMOTE = "This ticket is closed. Reopen it to ask for remote support."


def request_remote(ticket, user):
    """The requester asks for a remote session (policy 8.1, 8.2); FieldError("remote", why) if not."""
    if ticket.requester_id != user.id:
        raise NotFound("That ticket")
    decision = remote_decision(user)
    if not decision:
        raise FieldError("remote", decision.reason)
    if not ticket.is_open:
        raise FieldError("remote", CLOSED_FOR_REMOTE)
    now = utcnow()
    with write_tx():
        # the ticket row is locked (PostgreSQL) so two requests cannot both find no live session
        fresh = lock_for_update(Ticket.select().where(Ticket.id == ticket.id)).get()
        if not fresh.is_open:
            raise FieldError("remote", CLOSED_FOR_REMOTE)
        session = live_session(ticket)
        if session is None:
            session = RemoteSession.create(ticket=ticket, requested_by=user, status="requested", created_at=now)
            Ticket.update(remote_requested_at=now, updated_at=now).where(Ticket.id == ticket.id).execute()
            ticket.remote_requested_at = now
    return session


@dataclass(frozen=True)
class ListFilters:
    """What a ticket list is narrowed to; status and product must be allowlisted, the rest the
    Partner Area's: a search (ticket number or words), an end customer, the member who filed."""
    status: str = ""
    product: str = ""
    q: str = ""
    customer: str = ""
    filed_by: int | None = None


def _listing(columns, condition):
    """The tickets matching `condition` with their requester and license, newest activity first."""
    return (Ticket.select(*columns).join(User, on=(Ticket.requester == User.id))
            .join_from(Ticket, License, JOIN.LEFT_OUTER, on=(Ticket.license == License.id))
            .where(condition).order_by(Ticket.updated_at.desc(), Ticket.id.desc()))


def list_query(user, filters=ListFilters(), columns=(Ticket, User, License)):
    """The tickets `user` may see in a list (their own; a partner member's as `[partners]
    visibility` says, policy 3.1), filtered in SQL, newest activity first."""
    query = _listing(columns, partner_tickets.visible_to(user))
    if filters.status in STATUSES:
        query = query.where(Ticket.status == filters.status)
    if filters.product in PRODUCTS:
        query = query.where(Ticket.product == filters.product)
    found = partner_tickets.search_condition(filters.q)
    if found is not None:
        query = query.where(found)
    if filters.customer.strip():
        query = query.where(partner_tickets.customer_condition(filters.customer))
    if filters.filed_by:
        query = query.where(Ticket.requester == filters.filed_by)
    return query


_Key, _Email = namedtuple("_Key", "key"), namedtuple("_Email", "email")


def _converted(field):
    """A property giving `field` of a Listed as a model gives it (its column's stored value converted)."""
    return property(lambda self: field.python_value(getattr(self, f"stored_{field.name}")))


class Listed(namedtuple("Listed", "id subject product version status level stored_updated_at stored_opened_at "
                                  "stored_due_at stored_first_response_at stored_first_response_met license_id "
                                  "end_customer_company end_customer_email license_key requester_email")):
    """A ticket as a list shows it (tickets/_list.html and clock_for read these), read as the
    database driver gives it: no model instances per row, and times and flags converted only when
    read (a page's rows are a fragment key as they are); `license.key` and `requester.email` as a
    Ticket names them."""
    __slots__ = ()
    is_open = Ticket.is_open
    license = property(lambda self: _Key(self.license_key))
    requester = property(lambda self: _Email(self.requester_email))
    updated_at, opened_at, due_at = (_converted(f) for f in (Ticket.updated_at, Ticket.opened_at, Ticket.due_at))
    first_response_at, first_response_met = _converted(Ticket.first_response_at), _converted(Ticket.first_response_met)


LISTED = (Ticket.id, Ticket.subject, Ticket.product, Ticket.version, Ticket.status, Ticket.level, Ticket.updated_at,
          Ticket.opened_at, Ticket.due_at, Ticket.first_response_at, Ticket.first_response_met, Ticket.license,
          Ticket.end_customer_company, Ticket.end_customer_email, License.key, User.email)


def _own_page(wanted):
    """A page of one requester's tickets where each field in `wanted` equals a value, as
    prepared.raw builds it: build(requester_id, *values, limit, offset)."""
    def build(requester_id, *values):
        *values, limit, offset = values
        query = _listing(LISTED, Ticket.requester == requester_id)
        for name, value in zip(wanted, values):
            query = query.where(getattr(Ticket, name) == value)
        return query.limit(limit).offset(offset)
    return build


def list_for(user, status=None, product=None, page=1, filters=None):
    """A page of the tickets the user may see (a Page of Listed); see list_query. The list of
    someone who sees only their own tickets, narrowed by status or product, runs SQL made once."""
    filters = filters or ListFilters(status=status or "", product=product or "")
    if partner_tickets.sees_only_own(user) and not (filters.q.strip() or filters.customer.strip()
                                                    or filters.filed_by):
        wanted = tuple(name for name, allowed in (("status", STATUSES), ("product", PRODUCTS))
                       if getattr(filters, name) in allowed)
        args = (user.id, *(getattr(filters, name) for name in wanted))
        build = _own_page(wanted)

        def fetch(limit, offset):
            return [Listed(*row) for row in prepared.raw(("own tickets", wanted), build, *args, limit, offset)]
        return page_of(fetch, page, PAGE_SIZE)
    query = list_query(user, filters, LISTED)
    return page_of(lambda limit, offset: [Listed(*row) for row in
                                          db.execute_sql(*query.limit(limit).offset(offset).sql()).fetchall()],
                   page, PAGE_SIZE)


@dataclass(frozen=True)
class Clock:
    """How a ticket stands against its first-response target (policy 1.5, 2.1)."""
    state: str   # ok | at_risk | breached | answered | closed
    text: str    # while the clock runs, the business time left in the policy's one wording


def clock_for(ticket, now=None):
    """The ticket's first-response clock, in business time left (policy 2.1 footnote)."""
    if ticket.first_response_at is not None:
        met = "within" if ticket.first_response_met else "after"
        return Clock("answered", f"First response given {met} the target.")
    if not ticket.is_open:
        return Clock("closed", "Closed before a first response.")
    sla = get_policy().sla_clock(ticket.opened_at, ticket.due_at, now or utcnow())
    return Clock(sla.state, sla.text())


def clocks_for(tickets, now=None):
    """{id: Clock} of a list's tickets at one moment: clock_for each, the running clocks' business
    positions worked out together (policy.sla_clocks, as the queue does)."""
    now = now or utcnow()
    clocks, running = {}, []
    for ticket in tickets:
        if ticket.first_response_at is None and ticket.is_open:
            running.append(ticket)
        else:
            clocks[ticket.id] = clock_for(ticket, now)
    for ticket, sla in zip(running, get_policy().sla_clocks([(t.opened_at, t.due_at) for t in running], now)):
        clocks[ticket.id] = Clock(sla.state, sla.text())
    return clocks


def support_hours_now(now=None):
    """Whether support is open now, and when it opens next (policy 1.5)."""
    policy, now = get_policy(), now or utcnow()
    if policy.clock.is_open(now):
        return True, None
    return False, policy.clock.next_opening(now)
