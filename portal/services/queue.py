"""The shared staff queue: tickets then forum threads in the policy's rank (policy 4.6, 2.1, 3.4).

The database does the ordering (ORDER BY rank_band, due_at, opened_at/created_at, id on the
indexed columns) and the paging (a keyset cursor compared as a row value), so a page costs
the same with 100 or 100,000 open requests. Tickets always rank before threads (forum bands
are >= 10), so a page takes tickets first and fills up with threads. A partner ticket's row
names the partner, the end customer and the masked license, joined into the same query; forum
threads belong to no partner (policy 3.2: resellers have no forum).
"""
import datetime
import functools
import re
from dataclasses import dataclass, field

from portal.services.errors import FieldError, NotFound
from portal import db as database
from portal.db import utcnow
from portal.models import PRODUCTS, Partner, Thread, Ticket, User
from portal.policy import LEVELS
from portal.services import get_policy
from portal.services.kept import SECONDS, kept
from portal.services.licenses import masked_key
from portal.services.queue_cursor import Cursor, parse_cursor
from portal.services.staff_partner import end_customer

PAGE_SIZE = 50
DEPTH_CAP = 1000
DEPTH_SECONDS = SECONDS  # how long a worker keeps a heading's count (portal/services/kept.py)
ASSIGNEE_CHOICES = ("", "me", "none")  # anyone, assigned to the viewer, unassigned
UNKNOWN_LEVEL = f"Unknown level. Choose one of: {', '.join(LEVELS)}."
UNKNOWN_PRODUCT = "Unknown product."
UNKNOWN_ASSIGNEE = "Choose anyone, me or unassigned."
UNKNOWN_PARTNER = "Unknown partner. Choose one from the list."


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


@dataclass
class QueueRow:
    """One request as the queue shows it; its explanation ("Why is this here?") is worked out
    only when asked for (`explanation`, `reasons`), as a page shows it only for the open rows."""
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
    # a partner ticket (policy 3.1): the partner, the end customer (company, else contact address)
    # and their license, masked; the requester is the member who filed it
    partner: str | None = None
    end_customer: str = ""
    license_key: str = ""
    level_reason: str = ""       # why the ticket has its level (a thread keeps none)
    answered: bool = False       # a follow-up: the first response was given (policy 2.1)
    left_micros: int | None = None  # business time left in microseconds (negative once overdue); None when answered
    now: datetime.datetime | None = None    # the moment the row was read
    band: int = 0                # the rank band (policy 4.6, 2.1, 3.4): the cursor's first column
    raw: tuple = ()              # the database row it was made of

    @property
    def cache_key(self):
        """What the row shows: every column read, its state and the clock's words at this moment
        (QueuePage.cache_key, the queue's table kept per worker under those of its rows)."""
        return self.channel, self.raw, self.state, self.time_text

    @property
    def left(self):
        """The business time left (negative once overdue), None when answered."""
        return None if self.left_micros is None else datetime.timedelta(microseconds=self.left_micros)

    @property
    def piece_key(self):
        """What the row's HTML is made of but its clock's words, which its piece takes as a slot
        (templates/staff/queue.html): a minute's change of words redraws no row."""
        return self.channel, self.raw, self.state

    @property
    def due_iso(self):
        """The due time in ISO 8601 with its offset (the row's data-due)."""
        return self.due.isoformat()

    @property
    def key(self):
        """The row's id across channels ("ticket-12", "forum-3"), e.g. an open "Why is this here?"."""
        return f"{self.channel}-{self.id}"

    @property
    def explanation(self):
        """One line: channel, level, due time and time left (or that it is a follow-up)."""
        if self.answered:
            label = "Ticket" if self.channel == "ticket" else "Forum"
            return (f"{label} · {self.level} · follow-up: the first response was given, so no first-response "
                    "target applies (policy 2.1); it keeps its place by its level and original due time")
        return get_policy().explain_rank(self.channel, self.level, self.due, self.now, left=self.left)

    @property
    def reasons(self):
        """What decided the place, one line each: channel, level and why, due, age (policy.rank_reasons)."""
        return get_policy().rank_reasons(self.channel, self.level, self.level_reason, self.due, self.opened,
                                         self.now, left=self.left, answered=self.answered)


@dataclass
class QueuePage:
    """A page of rows and the cursor of the next page (None on the last page)."""
    rows: list = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def cache_key(self):
        """What the page's rows show: QueueRow.cache_key of each, in order (written out here, as a
        property call per row cost more than the tuple)."""
        return tuple([(row.channel, row.raw, row.state, row.time_text) for row in self.rows])


_ROW_KEY = re.compile(r"^(ticket|forum)-\d{1,12}$")


def is_row_key(text):
    """Whether `text` is a QueueRow.key ("ticket-12", "forum-3")."""
    return bool(_ROW_KEY.match(text or ""))


# The queue's one hot query is written as SQL text, not built by the ORM on every request: a page
# is one statement per channel, and building it through peewee (and a model object per joined row)
# cost more than SQLite running it (docs/benchmarks.md). The text is made of fixed pieces chosen by
# which filters are set; every value goes in as a parameter. Table and column names are the
# models' own (migrations/0001_initial), quoted the same way on SQLite and PostgreSQL.
_TICKET_FROM = (' FROM "ticket" AS t JOIN "user" AS o ON o."id" = t."requester_id"'
                ' LEFT JOIN "user" AS h ON h."id" = t."assignee_id"'
                ' LEFT JOIN "partner" AS p ON p."id" = t."partner_id"'
                ' LEFT JOIN "license" AS l ON l."id" = t."license_id"')
_THREAD_FROM = (' FROM "thread" AS t JOIN "user" AS o ON o."id" = t."author_id"'
                ' LEFT JOIN "user" AS h ON h."id" = t."assignee_id"')
# the shared columns first (as _rows reads them), then each channel's own
_COMMON = ('t."id", t."level", t."product", t."is_english", t."rank_band", t."due_at", t."first_response_at",'
           ' o."email", h."email", h."display_name", ')
_TICKET_COLUMNS = (_COMMON + 't."subject", t."opened_at", t."version", t."version_status", t."level_reason",'
                   ' t."end_customer_company", t."end_customer_email", p."id", p."name", l."key"')
_THREAD_COLUMNS = _COMMON + 't."title", t."created_at"'
_OPENED = {"ticket": 't."opened_at"', "forum": 't."created_at"'}


class Statement:
    """SQL text and its parameters (`sql()` as peewee's queries have it), run by `rows()`."""

    def __init__(self, text, params):
        self.text, self.params = text, params

    def sql(self):
        return self.text, self.params

    def rows(self):
        return database.db.execute_sql(self.text, self.params).fetchall()


def _param():
    return database.db.param  # "?" on SQLite, "%s" on PostgreSQL


def _conditions(channel, filters, now, mark):
    """The WHERE pieces and their parameters: waiting for staff, and each filter that is set."""
    model = Ticket if channel == "ticket" else Thread
    where = [f't."awaiting_staff" = {mark}', 't."due_at" IS NOT NULL',
             f't."status" = {mark}' if channel == "ticket" else f't."hidden" = {mark}']
    params = [True, "open" if channel == "ticket" else False]
    if filters.level:  # the band pins the level to one stretch of the index
        where += [f't."rank_band" = {mark}', f't."level" = {mark}']
        params += [get_policy().rank_band(channel, filters.level), filters.level]
    if filters.product:
        where.append(f't."product" = {mark}')
        params.append(filters.product)
    if filters.partner is not None:  # a thread has no partner (policy 3.2); Filters.shows skips the query
        if channel == "ticket":
            where.append(f't."partner_id" = {mark}')
            params.append(filters.partner)
        else:
            where.append("1 = 0")
    if filters.assignee == "me":
        where.append(f't."assignee_id" = {mark}')
        params.append(filters.user_id or 0)
    elif filters.assignee == "none":
        where.append('t."assignee_id" IS NULL')
    if filters.breached:  # policy 2.1: the target is the FIRST response; a follow-up cannot breach it
        where += [f't."due_at" < {mark}', 't."first_response_at" IS NULL']
        params.append(model.due_at.db_value(now))
    return where, params


@functools.lru_cache(maxsize=1024)
def _keyset(channel, cursor):
    """A cursor's row value as the database takes it (a next page's, on every load)."""
    model = Ticket if channel == "ticket" else Thread
    return cursor.band, model.due_at.db_value(cursor.due_at), model.due_at.db_value(cursor.opened_at), cursor.id


def select_channel(channel, filters, cursor, limit, now):
    """One channel's page as a Statement: ordered and limited by the database on the composite
    index (rank_band, due_at, opened, id), people, partner and license joined in (no N+1)."""
    mark = _param()
    opened = _OPENED[channel]
    where, params = _conditions(channel, filters, now, mark)
    if cursor is not None and cursor.channel == channel:  # the keyset: rows after the cursor's, as a row value
        keyset = _keyset(channel, cursor)
        if filters.level and cursor.band == get_policy().rank_band(channel, filters.level):
            # the level's filter pins the band to the cursor's: the rest of the row value then bounds
            # the index range (with the band in it, SQLite started from the band's first row)
            where.append(f'(t."due_at", {opened}, t."id") > ({mark}, {mark}, {mark})')
            params += keyset[1:]
        else:
            where.append(f'(t."rank_band", t."due_at", {opened}, t."id") > ({mark}, {mark}, {mark}, {mark})')
            params += keyset
    columns, source = (_TICKET_COLUMNS, _TICKET_FROM) if channel == "ticket" else (_THREAD_COLUMNS, _THREAD_FROM)
    text = (f"SELECT {columns}{source} WHERE {' AND '.join(where)}"
            f' ORDER BY t."rank_band", t."due_at", {opened}, t."id" LIMIT {int(limit)}')
    return Statement(text, params)


def _one(channel, ident):
    """One request's row by id, whether or not it still waits (the explanation of an open row)."""
    columns, source = (_TICKET_COLUMNS, _TICKET_FROM) if channel == "ticket" else (_THREAD_COLUMNS, _THREAD_FROM)
    return Statement(f'SELECT {columns}{source} WHERE t."id" = {_param()}', [ident])


_moment = Ticket.due_at.python_value  # the time field's own conversion (aware UTC)


def _made(channel, raw):
    """The fields of the QueueRow a database row makes, before its clock is read."""
    (ident, level, product, is_english, band, due, answered_at, requester, assignee, assignee_display,
     title, opened, *rest) = raw
    row = QueueRow(channel=channel, id=ident, title=title, level=level, product=product, version="",
                   version_status="", is_english=bool(is_english), requester=requester, assignee=assignee,
                   assignee_name=User.name_of(assignee_display, assignee) if assignee else None,
                   due=_moment(due), opened=_moment(opened), state="follow_up", time_text="follow-up",
                   answered=answered_at is not None, band=band, raw=raw)
    if channel == "ticket":
        version, version_status, level_reason, company, email, partner_id, partner_name, key = rest
        row.version, row.version_status, row.level_reason = version, version_status, level_reason
        if partner_id is not None:  # a partner ticket (policy 3.1)
            row.partner, row.end_customer = partner_name, end_customer(company, email)
            row.license_key = masked_key(key) if key else ""
    return row.__dict__


# (channel, id) -> (database row, the fields it makes): the fields are a pure function of the row,
# and the same rows come back on every load of a page, so each worker works them out once; a row
# read again is compared with the one kept (a changed row replaces it). Comparing costs less than
# hashing the row's fresh strings, and each request keeps one entry at most.
_MADE = {}


def _rows(items, policy, now):
    """QueueRows from (channel, result row) pairs of select_channel (columns in _COMMON order, then
    the channel's); the SLA clocks of the page in one call (policy 2.1: a clock runs only until the
    first response, so a follow-up has none)."""
    rows, spans = [], []
    new = object.__new__
    for channel, raw in items:
        raw = tuple(raw)
        kept = _MADE.get((channel, raw[0]))
        if kept is None or kept[0] != raw:
            if len(_MADE) >= 5000:
                _MADE.clear()
            kept = _MADE[(channel, raw[0])] = (raw, _made(channel, raw))
        row = new(QueueRow)
        row.__dict__ = kept[1].copy()  # a copy of a finished dict: its table copied whole
        row.now = now
        rows.append(row)
        if not row.answered:
            spans.append(row)
    for row, (state, words, left) in zip(spans, policy.sla_readings([(r.opened, r.due) for r in spans], now)):
        row.state, row.time_text, row.left_micros = state, words, left
    return rows


def queue_page(filters=None, cursor=None, limit=PAGE_SIZE, now=None):
    """A page of the queue after `cursor` (a Cursor, its string, or None for the top)."""
    policy, now = get_policy(), now or utcnow()
    filters = filters or Filters()
    if isinstance(cursor, str):
        cursor = parse_cursor(cursor)
    limit = max(1, min(int(limit), 200))
    items = []
    if cursor is None or cursor.channel == "ticket":  # policy 4.6: tickets first
        items = [("ticket", raw) for raw in select_channel("ticket", filters, cursor, limit + 1, now).rows()]
    if len(items) <= limit and filters.shows("forum"):
        items += [("forum", raw) for raw in select_channel("forum", filters, cursor, limit + 1 - len(items), now).rows()]
    page = QueuePage(rows=_rows(items[:limit], policy, now))
    if len(items) > limit:
        last = page.rows[-1]
        page.next_cursor = Cursor(last.channel, last.band, last.due, last.opened, last.id).encode()
    return page


def queue_row(key, now=None):
    """The QueueRow of one request by its key ("ticket-12"), for its "Why is this here?";
    NotFound when the key is malformed or names nothing."""
    if not is_row_key(key):
        raise NotFound("That request")
    channel, _, ident = key.partition("-")
    found = _one(channel, int(ident)).rows()
    if not found:
        raise NotFound("That request")
    return _rows([(channel, found[0])], get_policy(), now or utcnow())[0]


def queue_depth(filters=None, now=None, cap=DEPTH_CAP):
    """How many requests wait in each channel (for the page heading), counted up to `cap`:
    beyond it the heading says "1,000+", so the count costs the same with 100,000 waiting.
    Kept for DEPTH_SECONDS per worker and filters (the heading is a glance, the rows are live)."""
    filters, now = filters or Filters(), now or utcnow()
    # every field of Filters; whose "me" matters only to the "assigned to me" count: every agent
    # shares the others
    key = (filters.level, filters.product, filters.assignee, filters.breached, filters.partner,
           filters.user_id if filters.assignee == "me" else None, cap)
    return kept("queue depth", lambda *_: _count_depth(filters, now, cap), *key)


def _count_depth(filters, now, cap):
    mark = _param()

    def count(channel):
        if not filters.shows(channel):
            return 0
        where, params = _conditions(channel, filters, now, mark)
        table = "ticket" if channel == "ticket" else "thread"
        found = database.db.execute_sql(f'SELECT COUNT(*) FROM (SELECT 1 FROM "{table}" AS t WHERE {" AND ".join(where)}'
                               f" LIMIT {int(cap) + 1}) AS waiting", params).fetchone()[0]
        return f"{cap:,}+" if found > cap else found
    return {"ticket": count("ticket"), "forum": count("forum")}


def partner_choices():
    """(id, "name (number)") of every partner, by name, for the queue's partner filter. Kept
    DEPTH_SECONDS per worker, as the depth is: a new partner joins the filter a few seconds later."""
    def load():
        return tuple((ident, f"{name} ({number})") for ident, name, number in
                     Partner.select(Partner.id, Partner.name, Partner.number).order_by(Partner.name, Partner.id).tuples())
    return kept("partner choices", load)
