"""Staff search over tickets: a ticket number, words of subjects and messages (full text), a
requester's email address, a partner's name or number (docs/staff.md, Search).

    found = ticket_search.search("#123")            # that ticket first
    found = ticket_search.search("cannot connecting")  # stemmed: finds "connect"
    found = ticket_search.search("ann@contoso.test")   # that requester's tickets (and mentions)

A ticket matches when ANY of these does; the exact ticket number comes first, then the newest
activity. Words go through the forum search's own rules (`search.terms`: plain words only,
quoted for FTS5, tsquery built by PostgreSQL's functions; the last word is a prefix, for the
active search while typing), so quotes, operators or brackets never reach a query parser as
syntax. The index (table `ticket_search`, migration 0009) holds every ticket's subject and every
message, internal notes included (only staff search); triggers keep it in step with each change,
and on SQLite new rows are added in batches (portal/services/search_index.py), which every search
runs first, so it finds what was filed a moment ago. The hits are listed with ticket_views' one joined query and paged by
the database.
"""
import logging
import re
from dataclasses import dataclass

from peewee import SQL, Case, DatabaseError

from portal import db as database
from portal.models import Partner, Ticket, User
from portal.services import search as forum_search
from portal.services import search_index
from portal.services.paging import Page, page_number
from portal.services.ticket_views import rows_query, to_row

log = logging.getLogger(__name__)

PAGE_SIZE = 25
DROPDOWN_SIZE = 8  # the active search's results under the box
MAX_SIZE = 100
MAX_QUERY_CHARS = forum_search.MAX_QUERY_CHARS
_NUMBER = re.compile(r"^#?(\d{1,9})$")


@dataclass(frozen=True)
class Query:
    """What a search text asks for: a ticket number, full-text words, a word for addresses and names."""
    text: str
    number: int | None
    words: tuple
    token: str  # the whole text when it is one token of 3+ characters: part of an email or partner


def parse(text: str) -> Query:
    """The parts of a search text (cut to MAX_QUERY_CHARS); never raises."""
    text = " ".join((text or "")[:MAX_QUERY_CHARS].split())
    number = _NUMBER.match(text)
    if number:  # "#123" is that ticket only; "123" may be words of a message too (an error code)
        words = () if text.startswith("#") else tuple(forum_search.terms(text))
        return Query(text=text, number=int(number.group(1)), words=words, token="")
    token = text.lower() if len(text) >= 3 and " " not in text else ""
    return Query(text=text, number=None, words=tuple(forum_search.terms(text)), token=token)


def _full_text(words):
    """`ticket.id IN (the tickets whose subject or a message has every word)`."""
    if database.is_sqlite():
        found = SQL("(SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH ?)",
                    (forum_search.fts5_query(list(words)),))
    else:
        tsquery, params = forum_search.tsquery_sql(list(words), "and")
        found = SQL(f"(SELECT ticket_id FROM ticket_search WHERE document @@ {tsquery})", params)
    return Ticket.id.in_(found)


def condition(query: Query):
    """The WHERE condition of a search (None for an empty one)."""
    parts = []
    if query.number is not None:
        parts.append(Ticket.id == query.number)
    if query.words:
        parts.append(_full_text(query.words))
    if query.token:  # a requester's address (or part of it), a partner's number or name
        parts.append(Ticket.requester.in_(User.select(User.id).where(User.email.contains(query.token))))
        parts.append(Ticket.partner.in_(Partner.select(Partner.id).where(
            Partner.number.contains(query.token) | Partner.name.contains(query.token))))
    elif query.text and query.number is None:  # words with spaces: a partner's name as typed
        parts.append(Ticket.partner.in_(Partner.select(Partner.id).where(Partner.name.contains(query.text))))
    if not parts:
        return None
    found = parts[0]
    for part in parts[1:]:
        found = found | part
    return found


def search(text: str, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """A page of the tickets matching `text` (TicketRows); never raises on bad input."""
    query, page, size = parse(text), page_number(page), max(1, min(int(size), MAX_SIZE))
    where = condition(query)
    if where is None:
        return Page(page=page)
    exact = Case(None, [(Ticket.id == query.number, 0)], 1) if query.number is not None else None
    order = ((exact,) if exact is not None else ()) + (Ticket.updated_at.desc(), Ticket.id.desc())
    select = rows_query(where).order_by(*order).offset((page - 1) * size).limit(size + 1)
    if query.words:  # what was filed since the last batch, into the index first (SQLite)
        search_index.try_catch_up()
    try:
        with database.db.atomic():  # a savepoint: a failed search never spoils the caller's transaction
            items = list(select)
    except DatabaseError as exc:  # the search text is not logged (policy 8.6)
        log.warning("ticket search failed: %s", exc.__class__.__name__)
        return Page(page=page)
    return Page(rows=[to_row(item) for item in items[:size]], page=page, has_next=len(items) > size)


def ticket_number(text: str) -> int | None:
    """The ticket a search text names by number ("#123" or "123") when it exists, else None."""
    query = parse(text)
    if query.number is None:
        return None
    return Ticket.select(Ticket.id).where(Ticket.id == query.number).scalar()


def indexed_rows(ticket_id: int) -> int:
    """How many index rows a ticket has (its subject and its messages): for tests and checks."""
    search_index.catch_up()
    return database.db.execute_sql(f"SELECT COUNT(*) FROM ticket_search WHERE ticket_id = {database.db.param}",
                                   (ticket_id,)).fetchone()[0]
