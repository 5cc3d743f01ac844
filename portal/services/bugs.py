"""Bugs reproduced in the lab (policy 5.2, 5.3): ETA, workaround, fix; linked tickets hear of changes."""
import datetime
from dataclasses import asdict, dataclass, replace

from peewee import JOIN, fn

from portal.services.errors import FieldError, NotFound, ServiceError
from portal import prepared
from portal.db import lock_for_update, utcnow, write_tx
from portal.ids import parse_id
from portal.models import Bug, Ticket
from portal.policy import VersionError, date_text, parse_version
from portal.services import audit, get_policy, mail_prefs, tickets
from portal.services.paging import page_of

STATUSES = ("open", "fixed")
PAGE_SIZE = 30
TITLE_MIN, TITLE_MAX = 3, Bug.title.max_length
MAX_WORKAROUND = 5000
TITLE_LENGTH = f"Give a title of {TITLE_MIN} to {TITLE_MAX} characters."
UNKNOWN_STATUS = "Status is open or fixed."
BAD_ETA = "Give the ETA as a date (YYYY-MM-DD)."  # said by the form, which reads the date
BAD_VERSION = "Write the version as four numbers, like 8.1.0.3 (policy 7.1)."
NO_SUCH_BUG = "Choose a bug from the list."


@dataclass(frozen=True)
class BugFields:
    """What a bug form says about a bug: typed, not yet checked (`check` does that)."""
    title: str
    status: str = "open"
    eta: datetime.date | None = None
    workaround: str = ""
    fixed_in: str = ""


def check(fields):
    """The fields stripped, or ServiceError with a message per wrong field (all at once)."""
    fields = replace(fields, title=(fields.title or "").strip(), workaround=(fields.workaround or "").strip(),
                     fixed_in=(fields.fixed_in or "").strip(), status=fields.status or "open")
    errors = {}
    if not TITLE_MIN <= len(fields.title) <= TITLE_MAX:
        errors["title"] = TITLE_LENGTH
    if fields.status not in STATUSES:
        errors["status"] = UNKNOWN_STATUS
    recorded = get_policy().may_record_bug(fields.workaround)
    if not recorded:  # policy 5.3
        errors["workaround"] = f"{recorded.reason} (policy {recorded.clause})."
    elif len(fields.workaround) > MAX_WORKAROUND:
        errors["workaround"] = f"Keep the workaround under {MAX_WORKAROUND:,} characters."
    if fields.fixed_in:
        try:
            parse_version(fields.fixed_in)
        except (VersionError, ValueError):
            errors["fixed_in"] = BAD_VERSION
    elif fields.status == "fixed":
        errors["fixed_in"] = "Name the version that ships the fix."
    if errors:
        raise ServiceError(errors)
    return fields


def create(actor, fields):
    """Record a new bug from BugFields."""
    values = asdict(check(fields))
    with write_tx():
        bug = Bug.create(**values, created_at=utcnow(), updated_at=utcnow())
        audit.record(actor, "bug.create", "bug", bug.id, f"status {bug.status}")
    return bug


def update(bug_id, actor, fields):
    """Change a bug to BugFields; an ETA change or a shipped fix replies on every linked ticket not
    closed and mails its people the bug news (ETA, workaround, fixed in), all in the transaction of
    the change: nobody hears of a change that was not saved. Returns (bug, replies)."""
    values = asdict(check(fields))
    with write_tx():
        # locked: two agents saving the same change at once must not both announce it (policy 5.2)
        bug = lock_for_update(Bug.select().where(Bug.id == bug_id)).first()
        if bug is None:
            raise NotFound("That bug")
        news = _news(bug, values)
        Bug.update(**values, updated_at=utcnow()).where(Bug.id == bug.id).execute()
        audit.record(actor, "bug.update", "bug", bug.id,
                     f"status {values['status']}; eta {values['eta'] or '-'}; fixed_in {values['fixed_in'] or '-'}")
        told = _reply_all(tickets, bug, actor, news) if news else []
        for ticket in told:
            mail_prefs.notify(ticket, "bug_news", "bug_news", bug=values, title=values["title"],
                              eta=date_text(values["eta"]) if values["eta"] else "",
                              fixed=values["status"] == "fixed", author=actor, news=news)
    return Bug.get_by_id(bug.id), len(told)


def _news(bug, values):
    """What linked customers must hear, or '' (policy 5.2)."""
    if values["status"] == "fixed" and (bug.status != "fixed" or bug.fixed_in != values["fixed_in"]):
        return (f"Good news: the bug \"{values['title']}\" linked to this ticket is fixed in version "
                f"{values['fixed_in']}. Please update to that version (policy 7.2) and tell us if the "
                "problem persists.")
    if values["status"] == "open" and values["eta"] != bug.eta:
        eta = f"is now expected by {date_text(values['eta'])}" if values["eta"] else "has no firm date yet"
        return (f"Update on the bug \"{values['title']}\" linked to this ticket: the fix {eta} "
                f"(policy 5.2).\n\nUntil then, this workaround should help:\n{values['workaround']}")
    return ""


def _reply_all(tickets, bug, actor, body):
    """Write the staff reply on each linked ticket that is not closed, inside the caller's transaction.

    Closed tickets get nothing: nobody waits on them and a staff reply would not reopen them (a
    solved one still hears, since its customer may be waiting for the fix). The mail waits for
    the bug news (notify=False here: one mail, bug_news, not a staff reply besides).
    """
    linked = (Ticket.select()
              .where((Ticket.bug == bug) & (Ticket.status != "closed"))
              .order_by(Ticket.id))
    told = []
    for ticket in linked:
        tickets.add_reply(ticket, actor, body, notify=False)
        told.append(ticket)
    return told


def link(ticket, actor, bug_id=None, fields=None):
    """Mark a ticket as a reproduced bug: link the existing bug `bug_id`, or (bug_id None) a new
    one made of BugFields."""
    if bug_id is not None:
        bug_id = parse_id(bug_id)  # an id out of range names no bug
        bug = Bug.get_or_none(Bug.id == bug_id) if bug_id else None
        if bug is None:
            raise FieldError("bug_id", NO_SUCH_BUG)
        with write_tx():
            _link(ticket, actor, bug)
        return bug
    values = asdict(check(fields or BugFields("")))
    with write_tx():
        bug = Bug.create(**values, created_at=utcnow(), updated_at=utcnow())
        audit.record(actor, "bug.create", "bug", bug.id, f"from ticket {ticket.id}")
        _link(ticket, actor, bug)
    return bug


def _link(ticket, actor, bug):
    Ticket.update(bug=bug, updated_at=utcnow()).where(Ticket.id == ticket.id).execute()
    ticket.bug = bug
    audit.record(actor, "bug.link", "ticket", ticket.id, f"bug {bug.id}")


def unlink(ticket, actor):
    """Remove a ticket's bug link."""
    with write_tx():
        old = ticket.bug_id
        Ticket.update(bug=None, updated_at=utcnow()).where(Ticket.id == ticket.id).execute()
        ticket.bug = None
        audit.record(actor, "bug.unlink", "ticket", ticket.id, f"bug {old}")


def listing(status="", page=1):
    """A page of bugs with their linked-ticket counts (counted in SQL), open first (a Page)."""
    linked = fn.COUNT(Ticket.id).alias("linked")
    query = (Bug.select(Bug, linked)
             .join(Ticket, JOIN.LEFT_OUTER, on=(Ticket.bug == Bug.id))
             .group_by(Bug.id)
             .order_by(Bug.status.desc(), Bug.updated_at.desc(), Bug.id.desc()))
    if status in STATUSES:
        query = query.where(Bug.status == status)
    return page_of(query, page, PAGE_SIZE)


def open_bugs():
    """Open bugs to pick from when linking a ticket."""
    return prepared.rows("open bugs", lambda: Bug.select(Bug.id, Bug.title).where(Bug.status == "open")
                         .order_by(Bug.id.desc()).limit(200))


def linked_tickets(bug):
    """Tickets linked to a bug."""
    return list(Ticket.select().where(Ticket.bug == bug).order_by(Ticket.id))
