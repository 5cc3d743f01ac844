"""Staff ticket views besides the ranked queue: mine, waiting on customer, solved and closed, all;
narrowed by requester, partner and level, which combine (docs/staff.md, Views).

    page = ticket_views.view_page(Filters(view="waiting", partner="P-1001"), page=2)

The database orders and pages (LIMIT/OFFSET through paging.page_of, one row more than a page to
know of a next one) and one query brings the rows with their requester, assignee and partner
joined, so a page costs the same however many tickets there are (no N+1). A requester or partner
narrows through a subquery on its id, so the (requester|partner, status, updated_at) indexes serve.
The search (portal.services.ticket_search) lists its hits with the same query and rows.
"""
import datetime
import re
from dataclasses import dataclass

from peewee import JOIN

from portal.models import STATUSES, Partner, Ticket, User
from portal.policy import LEVELS
from portal.services.errors import FieldError
from portal.services.paging import Page, page_of

PAGE_SIZE = 50
# the views, in the order of their tabs; each names the statuses it shows
VIEWS = ("mine", "waiting", "solved", "all")
VIEW_LABELS = {"mine": "Mine", "waiting": "Waiting on customer", "solved": "Solved and closed", "all": "All"}
VIEW_STATUSES = {"mine": ("open", "waiting"), "waiting": ("waiting",), "solved": ("solved", "closed"),
                 "all": STATUSES}
UNKNOWN_VIEW = "Unknown view. Choose one of: " + ", ".join(VIEW_LABELS.values()) + "."
UNKNOWN_LEVEL = f"Unknown level. Choose one of: {', '.join(LEVELS)}."
BAD_REQUESTER = "Give the requester's email address or account number."
UNKNOWN_PARTNER = "Unknown partner. Choose one from the list."
_NUMBER = re.compile(r"^#?(\d{1,9})$")


@dataclass(frozen=True)
class Filters:
    """A view and what narrows it; refused (FieldError) unless each value is empty or well formed."""
    view: str = "all"
    requester: str = ""   # an email address or an account number (id)
    partner: str = ""     # a partner number, e.g. P-1001
    level: str = ""
    user_id: int | None = None  # whose "mine"

    def __post_init__(self):
        if self.view not in VIEWS:
            raise FieldError("view", UNKNOWN_VIEW)
        if self.level and self.level not in LEVELS:
            raise FieldError("level", UNKNOWN_LEVEL)
        who = self.requester
        if who and not (_NUMBER.match(who) or ("@" in who and len(who) <= 254)):
            raise FieldError("requester", BAD_REQUESTER)
        if len(self.partner) > 32:
            raise FieldError("partner", UNKNOWN_PARTNER)

    def as_args(self, **changes):
        """The filters as URL query arguments (empty ones and the default view left out)."""
        args = {"view": self.view, "requester": self.requester, "partner": self.partner, "level": self.level}
        args = {k: v for k, v in (args | changes).items() if v}
        if args.get("view") == "all":
            del args["view"]
        return args

    @property
    def narrowed(self):
        """Whether anything but the view narrows the list."""
        return bool(self.requester or self.partner or self.level)


@dataclass(frozen=True)
class TicketRow:
    """One ticket as the staff lists (views and search) show it."""
    id: int
    subject: str
    requester: str          # email
    requester_id: int
    level: str
    status: str
    awaiting_staff: bool
    assignee: str | None    # email
    assignee_name: str | None
    partner: str | None     # name
    partner_number: str | None
    updated: datetime.datetime


def rows_query(*conditions):
    """Tickets with requester, assignee and partner joined in one query (only what a row shows)."""
    owner, helper = User.alias("owner"), User.alias("helper")
    query = (Ticket.select(Ticket.id, Ticket.subject, Ticket.level, Ticket.status, Ticket.awaiting_staff,
                           Ticket.updated_at, owner.id, owner.email, helper.id, helper.email,
                           helper.display_name, Partner.id, Partner.name, Partner.number)
             .join_from(Ticket, owner, on=(Ticket.requester == owner.id), attr="who")
             .join_from(Ticket, helper, JOIN.LEFT_OUTER, on=(Ticket.assignee == helper.id), attr="helper")
             .join_from(Ticket, Partner, JOIN.LEFT_OUTER, on=(Ticket.partner == Partner.id), attr="firm"))
    return query.where(*conditions) if conditions else query


def to_row(item):
    """A TicketRow from a rows_query() result."""
    helper = item.helper if item.helper is not None and item.helper.id is not None else None
    firm = item.firm if item.firm is not None and item.firm.id is not None else None
    return TicketRow(id=item.id, subject=item.subject, requester=item.who.email, requester_id=item.who.id,
                     level=item.level, status=item.status, awaiting_staff=item.awaiting_staff,
                     assignee=helper.email if helper else None, assignee_name=helper.name if helper else None,
                     partner=firm.name if firm else None, partner_number=firm.number if firm else None,
                     updated=item.updated_at)


def conditions(filters):
    """The WHERE conditions of a view and its narrowing filters."""
    conds = []
    statuses = VIEW_STATUSES[filters.view]
    if statuses != STATUSES:
        conds.append(Ticket.status == statuses[0] if len(statuses) == 1 else Ticket.status.in_(statuses))
    if filters.view == "mine":
        conds.append(Ticket.assignee == (filters.user_id or 0))
    if filters.level:
        conds.append(Ticket.level == filters.level)
    if filters.requester:
        number = _NUMBER.match(filters.requester)
        conds.append(Ticket.requester == int(number.group(1)) if number else
                     Ticket.requester.in_(User.select(User.id).where(User.email == filters.requester.lower())))
    if filters.partner:
        conds.append(Ticket.partner.in_(Partner.select(Partner.id).where(Partner.number == filters.partner)))
    return conds


def order(view):
    """Each view's order: what waits on the customer longest first; what needs you (awaiting staff)
    first in "mine"; otherwise the newest activity first. The id breaks ties the same way."""
    if view == "waiting":
        return (Ticket.updated_at.asc(), Ticket.id.asc())
    if view == "mine":
        return (Ticket.awaiting_staff.desc(), Ticket.updated_at.desc(), Ticket.id.desc())
    return (Ticket.updated_at.desc(), Ticket.id.desc())


def view_page(filters: Filters, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of a view: TicketRows, the page number and whether a next page exists."""
    found = page_of(rows_query(*conditions(filters)).order_by(*order(filters.view)), page, size)
    return Page(rows=[to_row(item) for item in found.rows], page=found.page, has_next=found.has_next)


def partner_choices():
    """(number, "name (number)") of every partner, by name, for the partner filter."""
    return [(p.number, f"{p.name} ({p.number})")
            for p in Partner.select(Partner.name, Partner.number).order_by(Partner.name, Partner.id)]
