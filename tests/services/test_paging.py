"""The one offset-paging helper: page numbers clamped to 1..10,000, has_next, empty lists."""
import pytest

from portal.models import User
from portal.services.paging import MAX_PAGE, Page, page_number, page_of
from tests import factories


def fetch_from(items, seen):
    def fetch(limit, offset):
        seen.append((limit, offset))
        return items[offset:offset + limit]
    return fetch


@pytest.mark.parametrize("asked, served", [(None, 1), ("", 1), ("x", 1), (0, 1), (-3, 1), (2, 2),
                                           ("7", 7), (MAX_PAGE, MAX_PAGE), (MAX_PAGE + 1, MAX_PAGE),
                                           (10 ** 12, MAX_PAGE)])
def test_page_numbers_are_clamped(asked, served):
    assert MAX_PAGE == 10_000
    assert page_number(asked) == served


def test_a_huge_page_asks_for_the_last_allowed_offset_only():
    seen = []
    found = page_of(fetch_from(list(range(5)), seen), 10 ** 9, 3)
    assert seen == [(4, (MAX_PAGE - 1) * 3)]
    assert found == Page(rows=[], page=MAX_PAGE, has_next=False)


def test_has_next_only_while_rows_remain():
    items, seen = list(range(7)), []
    first, second, third = (page_of(fetch_from(items, seen), n, 3) for n in (1, 2, 3))
    assert (first.rows, first.has_next) == ([0, 1, 2], True)
    assert (second.rows, second.has_next, second.page) == ([3, 4, 5], True, 2)
    assert (third.rows, third.has_next) == ([6], False)
    exact = page_of(fetch_from(list(range(6)), []), 2, 3)
    assert (exact.rows, exact.has_next) == ([3, 4, 5], False)  # the extra row decides, not a full page


def test_empty_source_is_one_empty_page():
    assert page_of(fetch_from([], []), 1, 10) == Page(rows=[], page=1, has_next=False)


def test_pages_a_query(ctx):
    for n in range(5):
        factories.make_user(email=f"paged{n}@example.com")
    query = User.select().where(User.email.startswith("paged")).order_by(User.email)
    first, last = page_of(query, 1, 2), page_of(query, 3, 2)
    assert [u.email for u in first.rows] == ["paged0@example.com", "paged1@example.com"] and first.has_next
    assert [u.email for u in last.rows] == ["paged4@example.com"] and not last.has_next
