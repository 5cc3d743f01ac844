"""Offset paging for every paged list (tickets, Partner Area, forum, search, staff bugs and audit).

One function pages them all: `page_of(source, page, size)` clamps the page number to
1..MAX_PAGE (a bigger offset is never a real page and would make the database walk rows for
nothing), fetches one row more than a page to learn whether a next page exists, and answers a
`Page`. The staff queue does not page here: it pages by a keyset cursor
(`portal.services.queue.queue_page`), because its rows change order while staff work it.
"""
from dataclasses import dataclass, field

MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    rows: list = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def page_number(value) -> int:
    """A requested page number as one we serve: 1 for a missing or bad value, at most MAX_PAGE."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), MAX_PAGE)


def page_of(source, page, size) -> Page:
    """One page of `source`: a peewee query, or a callable fetch(limit, offset) -> list."""
    page = page_number(page)
    limit, offset = size + 1, (page - 1) * size
    if callable(source):
        rows = list(source(limit, offset))
    else:
        rows = list(source.offset(offset).limit(limit))
    return Page(rows=rows[:size], page=page, has_next=len(rows) > size)
