"""Page pieces kept per worker for what they show (portal/web/fragments.py): rendered once per key,
slots filled on every use, never a stale or foreign piece, and the same HTML as without the cache."""
import re

from markupsafe import Markup

from portal.web.fragments import FragmentCache
from tests import factories
from tests.staff.helpers import queue_rows

TEMPLATE = ('{% call(slot) fragment("t", key, token=token) %}'
            '<p>{{ title }}</p>{{ count() }}<input value="{{ slot.token }}">{% endcall %}')


def _render(app, **context):
    with app.test_request_context("/"):
        return app.jinja_env.from_string(TEMPLATE).render(**context)


def test_body_renders_once_per_key_and_slots_are_filled_every_time(app):
    calls = []

    def count():
        calls.append(1)
        return ""
    first = _render(app, key=1, title="Hello", token="aaa", count=count)
    second = _render(app, key=1, title="Hello", token="bbb", count=count)
    assert len(calls) == 1  # the second use is the kept HTML
    assert first == '<p>Hello</p><input value="aaa">'
    assert second == '<p>Hello</p><input value="bbb">'
    _render(app, key=2, title="Other", token="ccc", count=count)
    assert len(calls) == 2  # another key is rendered on its own


def test_slot_values_are_escaped_and_user_text_cannot_forge_a_slot(app):
    html = _render(app, key="x", title="<slot-token>", token='"><script>', count=lambda: "")
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html
    assert "&lt;slot-token&gt;" in html  # the text stays text, the real slot is filled
    assert "<slot-" not in html


def test_no_cache_renders_every_time_and_a_full_cache_drops_its_oldest():
    cache, calls = FragmentCache(0), []

    def body(slots):
        calls.append(1)
        return Markup("<b>x</b>")
    cache.get("a", body, {})
    cache.get("a", body, {})
    assert len(calls) == 2 and not cache.kept
    cache = FragmentCache(2)
    for key in ("a", "b", "c"):
        cache.get(key, body, {})
    assert list(cache.kept) == ["b", "c"]


def test_the_cache_keeps_no_more_text_than_its_bound():
    cache = FragmentCache(100, max_bytes=4000)
    for key in range(10):  # 900 characters each: four fit
        cache.get(key, lambda slots: Markup("x" * 900), {})
    assert list(cache.kept) == [6, 7, 8, 9] and cache.size == 3600
    cache.get("big", lambda slots: Markup("y" * 1500), {})  # over a quarter of the bound: not kept
    assert "big" not in cache.kept and cache.size == 3600
    assert cache.get("big", lambda slots: Markup("y" * 1500), {}) == "y" * 1500
    cache._keep(9, ("z" * 100,))  # a piece drawn twice at once (threads) is counted once
    assert cache.size == 2700 + 100





def _queue_both_ways(app, uncached, staff):
    """(both, cached client, plain client): both() loads the queue as `staff` with the cache and
    without, checks they are the same HTML but for tokens, and gives the cached page."""
    cached_client, plain_client = factories.logged_in(app, staff), factories.logged_in(uncached, staff)

    def both():
        a = cached_client.get("/staff/queue").get_data(as_text=True)
        b = plain_client.get("/staff/queue").get_data(as_text=True)
        assert factories.tokenless(a) == factories.tokenless(b)
        return a
    return both, cached_client, plain_client


def test_queue_is_the_same_html_with_and_without_the_cache_and_follows_every_change(
        app, uncached, make_user):
    staff = make_user(role="staff")
    with app.app_context():
        customer = factories.make_user(level="PRO")
        tickets = [factories.make_ticket(customer, subject=f"Ticket {n}") for n in range(3)]
        factories.make_thread(factories.make_user(level="FREE"), title="Forum question")
    both, cached_client, plain_client = _queue_both_ways(app, uncached, staff)
    both()
    page = both()  # the second load comes from the cache
    assert app.extensions["fragments"].hits >= 1
    # the claim form of the forum row carries this request's own token
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert f'class="inline queue-claim"><input type="hidden" name="csrf_token" value="{token}">' in page
    with app.app_context():
        from portal.models import Ticket
        Ticket.update(subject="Renamed <b>now</b>").where(Ticket.id == tickets[1].id).execute()
        Ticket.update(assignee=staff.id).where(Ticket.id == tickets[2].id).execute()
    page = both()
    assert "Renamed &lt;b&gt;now&lt;/b&gt;" in page
    assigned = [r for r in queue_rows(page) if r["request-id"] == str(tickets[2].id)]
    assert assigned and assigned[0]["assignee"] == staff.email
    # an open explanation and the rows beside it, drawn row by row
    key = f"ticket-{tickets[0].id}"
    a = cached_client.get(f"/staff/queue?open={key}").get_data(as_text=True)
    b = plain_client.get(f"/staff/queue?open={key}").get_data(as_text=True)
    assert factories.tokenless(a) == factories.tokenless(b) and 'open><summary>Why is this here?' in a


def test_frame_header_is_the_same_with_and_without_the_cache_for_every_kind_of_user(app, uncached, make_user):
    from portal.models import User
    people = [make_user(role=role) for role in ("customer", "staff", "admin", "reseller")]
    people.append(make_user(verified=False))
    pairs = [(app.test_client(), uncached.test_client())] + [
        (factories.logged_in(app, u), factories.logged_in(uncached, u)) for u in people]
    for _ in range(2):
        for cached_client, plain_client in pairs:
            a = cached_client.get("/policy").get_data(as_text=True)
            b = plain_client.get("/policy").get_data(as_text=True)
            assert factories.tokenless(a) == factories.tokenless(b)
    # the logout form carries this request's own token
    page = pairs[1][0].get("/policy").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in page
    # a customer made staff sees the staff links on the next page
    with app.app_context():
        User.update(role="staff").where(User.id == people[0].id).execute()
    a = pairs[1][0].get("/policy").get_data(as_text=True)
    b = pairs[1][1].get("/policy").get_data(as_text=True)
    assert factories.tokenless(a) == factories.tokenless(b) and ">Queue</a>" in a


def test_a_row_whose_clock_words_changed_keeps_its_piece(app, uncached, make_user, monkeypatch):
    """The clock's words are a slot of a row's piece: a minute later the table is drawn again from
    the rows' kept pieces with the new words (escaped as the row writes them), as without the cache."""
    from portal.policy import rank
    staff = make_user(role="staff")
    with app.app_context():
        customer = factories.make_user(level="PRO")
        for n in range(3):
            factories.make_ticket(customer, subject=f"Ticket {n}")
    words = ["1 h 5 min of business time left"]
    monkeypatch.setattr(rank, "_readings", lambda spans, now, clock, at_risk: [("ok", words[0], 3_900_000_000)] * len(spans))
    both, _, _ = _queue_both_ways(app, uncached, staff)
    both()
    both()
    cache = app.extensions["fragments"]
    misses = cache.misses
    words[0] = "1 h 4 min <of> business time left"
    page = both()
    assert cache.misses == misses + 1  # the table, whose key holds the words; every row's piece reused
    assert page.count(">1 h 4 min &lt;of&gt; business time left</span>") == 3
