"""The shared staff queue: tickets then forum threads in the policy's rank (policy 4.6, 2.1, 3.4).

The database does the ordering (ORDER BY rank_band, due_at, opened_at/created_at, id on the
indexed columns) and the paging (a keyset cursor compared as a row value), so a page costs
the same with 100 or 100,000 open requests. Tickets always rank before threads (forum bands
are >= 10), so a page takes tickets first and fills up with threads. A partner ticket's row
names the partner, the end customer and the masked license, joined into the same query; forum
threads belong to no partner (policy 3.2: resellers have no forum).
"""
import datetime
import re
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Tuple

from portal.services.errors import FieldError
from portal.db import UTC, utcnow
from portal.models import PRODUCTS, License, Partner, Thread, Ticket, User
from portal.policy import LEVELS
from portal.services import get_policy
from portal.services.licenses import masked_key
from portal.services.staff_partner import end_customer

PAGE_SIZE = 50
DEPTH_CAP = 1000
ASSIGNEE_CHOICES = ("", "me", "none")  # anyone, assigned to the viewer, unassigned
UNKNOWN_LEVEL = f"Unknown level. Choose one of: {', '.join(LEVELS)}."
UNKNOWN_PRODUCT = "Unknown product."
UNKNOWN_ASSIGNEE = "Choose anyone, me or unassigned."
UNKNOWN_PARTNER = "Unknown partner. Choose one from the list."
BAD_CURSOR = "This queue position is not valid; start from the top."
_CURSOR = re.compile(r"^(ticket|forum)~(\d{1,3})~([0-9T:.\-]{19,26})Z?~([0-9T:.\-]{19,26})Z?~(\d{1,12})$")


@dataclass(frozen=True)
class Filters:
    """Queue filters, refused (FieldError) unless each is empty or in its allowlist."""
    level: str = ""
    product: str = ""
    assignee: str = ""          # "" any, "me", "none"
    breached: bool = False
    user_id: int | None = None  # whose "me"
    partner: int | None = None  # a partner's id: its tickets only (the form offers partner_choices())

    def __post_init__(self):
        for name, allowed, message in (("level", LEVELS, UNKNOWN_LEVEL), ("product", PRODUCTS, UNKNOWN_PRODUCT),
                                       ("assignee", ASSIGNEE_CHOICES, UNKNOWN_ASSIGNEE)):
            value = getattr(self, name)
            if value and value not in allowed:
                raise FieldError(name, message)
        if self.partner is not None and (type(self.partner) is not int or self.partner < 1):
            raise FieldError("partner", UNKNOWN_PARTNER)

    def as_args(self):
        """The filters as URL query arguments (empty ones left out)."""
        args = {"level": self.level, "product": self.product, "assignee": self.assignee,
                "breached": "1" if self.breached else "", "partner": self.partner or ""}
        return {k: v for k, v in args.items() if v}

    def shows(self, channel):
        """Whether the channel can have rows: forum threads belong to no partner (policy 3.2)."""
        return channel == "ticket" or self.partner is None


@dataclass(frozen=True)
class Cursor:
    """The queue position of the last row of a page: the ORDER BY columns of that row."""
    channel: str
    band: int
    due_at: datetime.datetime
    opened_at: datetime.datetime
    id: int

    def encode(self):
        """The cursor as a URL-safe string, its times in UTC (2026-03-10T16:30:00Z)."""
        return "~".join((self.channel, str(self.band), _stamp(self.due_at), _stamp(self.opened_at), str(self.id)))


def _stamp(moment):
    """A moment as UTC ISO text ending in Z, the cursor's own form (no '+' to escape in a URL)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class QueueRow:
    """One request as the queue shows it."""
    channel: str
    id: int
    title: str
    level: str
    product: str
    version: str
    version_status: str
    is_english: bool
    requester: str
    assignee: str | None
    assignee_name: str | None
    due: datetime.datetime       # aware UTC
    opened: datetime.datetime    # aware UTC
    state: str                   # ok | at_risk | breached (policy sla_state) | follow_up (answered before)
    time_text: str
    explanation: str
    # a partner ticket (policy 3.1): the partner, the end customer (company, else contact address)
    # and their license, masked; the requester is the member who filed it
    partner: str | None = None
    end_customer: str = ""
    license_key: str = ""
    # what decided the place, one line each ("Why is this here?": channel, level and why, due, age)
    reasons: tuple = ()

    @property
    def key(self):
        """The row's id across channels ("ticket-12", "forum-3"), e.g. an open "Why is this here?"."""
        return f"{self.channel}-{self.id}"


@dataclass
class QueuePage:
    """A page of rows and the cursor of the next page (None on the last page)."""
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


_ROW_KEY = re.compile(r"^(ticket|forum)-\d{1,12}$")


def is_row_key(text):
    """Whether `text` is a QueueRow.key ("ticket-12", "forum-3")."""
    return bool(_ROW_KEY.match(text or ""))


def parse_cursor(text):
    """A Cursor from its URL form, None for none; FieldError when it is malformed."""
    if not text:
        return None
    match = _CURSOR.match(text)
    try:
        if not match:
            raise ValueError(text)
        channel, band, due, opened, ident = match.groups()
        # a cursor's times are UTC (a position written without the Z, too)
        return Cursor(channel, int(band), datetime.datetime.fromisoformat(due + "+00:00"),
                      datetime.datetime.fromisoformat(opened + "+00:00"), int(ident))
    except ValueError:
        raise FieldError("after", BAD_CURSOR) from None


def _conditions(model, filters, now):
    conds = [model.awaiting_staff == True, model.due_at.is_null(False)]  # noqa: E712
    if model is Ticket:
        conds.append(Ticket.status == "open")
    else:
        conds.append(Thread.hidden == False)  # noqa: E712
    if filters.level:  # the band pins the level to one stretch of the index
        channel = "ticket" if model is Ticket else "forum"
        conds += [model.rank_band == get_policy().rank_band(channel, filters.level), model.level == filters.level]
    if filters.product:
        conds.append(model.product == filters.product)
    if filters.partner is not None:  # a thread has no partner (policy 3.2); Filters.shows skips the query
        conds.append(Ticket.partner == filters.partner if model is Ticket else SQL("1 = 0"))
    if filters.assignee == "me":
        conds.append(model.assignee == (filters.user_id or 0))
    elif filters.assignee == "none":
        conds.append(model.assignee.is_null())
    if filters.breached:  # policy 2.1: the target is the FIRST response; a follow-up cannot breach it
        conds += [model.due_at < now, model.first_response_at.is_null()]
    return conds


def select_channel(channel, filters, cursor, limit, now):
    """One channel's query, ordered and limited by the database, people joined in (no N+1)."""
    model = Ticket if channel == "ticket" else Thread
    opened = Ticket.opened_at if model is Ticket else Thread.created_at
    person = Ticket.requester if model is Ticket else Thread.author
    owner, helper = User.alias("owner"), User.alias("helper")
    order = (model.rank_band, model.due_at, opened, model.id)
    conds = _conditions(model, filters, now)
    if cursor is not None and cursor.channel == channel:
        # a row value is no column: the times go through their fields to be stored values
        conds.append(Tuple(*order) > Tuple(cursor.band, model.due_at.to_value(cursor.due_at),
                                           opened.to_value(cursor.opened_at), cursor.id))
    columns = ((Ticket.subject, Ticket.opened_at, Ticket.version, Ticket.version_status, Ticket.level_reason,
                Ticket.end_customer_company, Ticket.end_customer_email, Partner.id, Partner.name,
                License.id, License.key) if model is Ticket
               else (Thread.title, Thread.created_at))
    # only what a row shows (no password hashes, no wide rows): less to build, fetch and convert
    query = (model.select(model.id, model.level, model.product, model.is_english, model.rank_band, model.due_at,
                          model.first_response_at, *columns, owner.id, owner.email,
                          helper.id, helper.email, helper.display_name)
             .join_from(model, owner, on=(person == owner.id), attr="who")
             .join_from(model, helper, JOIN.LEFT_OUTER, on=(model.assignee == helper.id), attr="helper"))
    if model is Ticket:  # a partner ticket's partner and license (policy 3.1), in the same query
        query = (query.join_from(Ticket, Partner, JOIN.LEFT_OUTER, on=(Ticket.partner == Partner.id), attr="firm")
                 .join_from(Ticket, License, JOIN.LEFT_OUTER, on=(Ticket.license == License.id), attr="lic"))
    return query.where(*conds).order_by(*order).limit(limit)


def _clock(channel, item, policy, opened, due, now):
    """(state, time text, explanation, business time left or None); policy 2.1: the SLA clock
    runs only until the first response."""
    if item.first_response_at is not None:  # answered, then the customer wrote again (or reopened)
        label = "Ticket" if channel == "ticket" else "Forum"
        return ("follow_up", "follow-up", f"{label} · {item.level} · follow-up: the first response was "
                "given, so no first-response target applies (policy 2.1); it keeps its place by its "
                "level and original due time", None)
    sla = policy.sla_clock(opened, due, now)
    return sla.state, sla.text(), policy.explain_rank(channel, item.level, due, now, left=sla.left), sla.left


def _joined(item, attr):
    """A LEFT JOINed row, or None when the join found none."""
    row = getattr(item, attr, None)
    return row if row is not None and row.id is not None else None


def _partner_fields(item):
    firm, lic = _joined(item, "firm"), _joined(item, "lic")
    if firm is None:
        return {}
    return {"partner": firm.name, "end_customer": end_customer(item.end_customer_company, item.end_customer_email),
            "license_key": masked_key(lic.key) if lic is not None else ""}


def _reasons(channel, item, policy, opened, due, now, left):
    """The lines of "Why is this here?" (policy.rank_reasons); a thread keeps no level reason."""
    return policy.rank_reasons(channel, item.level, item.level_reason if channel == "ticket" else "",
                               due, opened, now, left=left, answered=item.first_response_at is not None)


def _row(channel, item, policy, now):
    due, opened = item.due_at, item.opened_at if channel == "ticket" else item.created_at
    state, time_text, explanation, left = _clock(channel, item, policy, opened, due, now)
    reasons = _reasons(channel, item, policy, opened, due, now, left)
    assigned = _joined(item, "helper")
    is_ticket = channel == "ticket"
    return QueueRow(
        channel=channel, id=item.id, title=item.subject if is_ticket else item.title,
        level=item.level, product=item.product, version=item.version if is_ticket else "",
        version_status=item.version_status if is_ticket else "", is_english=item.is_english,
        requester=item.who.email, assignee=assigned.email if assigned else None,
        assignee_name=assigned.name if assigned else None, due=due, opened=opened,
        state=state, time_text=time_text, explanation=explanation, reasons=reasons, **(_partner_fields(item) if is_ticket else {}))


def _cursor_of(channel, item):
    opened = item.opened_at if channel == "ticket" else item.created_at
    return Cursor(channel, item.rank_band, item.due_at, opened, item.id).encode()


def queue_page(filters=None, cursor=None, limit=PAGE_SIZE, now=None):
    """A page of the queue after `cursor` (a Cursor, its string, or None for the top)."""
    policy, now = get_policy(), now or utcnow()
    filters = filters or Filters()
    if isinstance(cursor, str):
        cursor = parse_cursor(cursor)
    limit = max(1, min(int(limit), 200))
    items = []
    if cursor is None or cursor.channel == "ticket":  # policy 4.6: tickets first
        items = [("ticket", t) for t in select_channel("ticket", filters, cursor, limit + 1, now)]
    if len(items) <= limit and filters.shows("forum"):
        items += [("forum", t) for t in select_channel("forum", filters, cursor, limit + 1 - len(items), now)]
    page = QueuePage(rows=[_row(ch, item, policy, now) for ch, item in items[:limit]])
    if len(items) > limit:
        page.next_cursor = _cursor_of(*items[limit - 1])
    return page


def queue_depth(filters=None, now=None, cap=DEPTH_CAP):
    """How many requests wait in each channel (for the page heading), counted up to `cap`:
    beyond it the heading says "1,000+", so the count costs the same with 100,000 waiting."""
    filters, now = filters or Filters(), now or utcnow()

    def count(channel, model):
        if not filters.shows(channel):
            return 0
        found = model.select(model.id).where(*_conditions(model, filters, now)).limit(cap + 1).count()
        return f"{cap:,}+" if found > cap else found
    return {channel: count(channel, model) for channel, model in (("ticket", Ticket), ("forum", Thread))}


def partner_choices():
    """(id, "name (number)") of every partner, by name, for the queue's partner filter."""
    return [(p.id, f"{p.name} ({p.number})")
            for p in Partner.select(Partner.id, Partner.name, Partner.number).order_by(Partner.name, Partner.id)]
