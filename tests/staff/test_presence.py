"""Who else is here: staff see who has a ticket (or thread) open and who types a reply, on the
page and on its queue row; entries expire by themselves; both stores (the database always,
Redis when it answers on 127.0.0.1:6379) behave alike; a Redis that is down shows nothing and
breaks nothing."""
import datetime
import logging
import socket
import uuid

import pytest

from portal.db import utcnow
from portal.models import Presence, Ticket
from portal.services import presence
from tests.factories import counting_queries, csrf_token, race_posts

REDIS_URL = "redis://127.0.0.1:6379/0"
SECOND = datetime.timedelta(seconds=1)


def _redis_up():
    try:
        import redis
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:
        return False


def _closed_port():
    with socket.socket() as sock:  # bound, never listening, so nothing answers there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    """Each store, made the app's presence store; Redis under a key prefix of its own."""
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        made = presence.RedisStore(REDIS_URL, prefix=f"test:presence:{uuid.uuid4().hex}:")
    else:
        made = presence.DatabaseStore()
    app.extensions["runtime"].state["presence_store"] = made
    yield made
    if request.param == "redis":
        keys = list(made.client.scan_iter(f"{made.prefix}*"))
        if keys:
            made.client.delete(*keys)


@pytest.fixture
def people(app, make_user, make_ticket, ctx):
    ann = make_user(role="staff", display_name="Ann")
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"))
    return ann, bob, ticket


def test_the_other_agent_is_seen_and_you_are_not(store, people):
    ann, bob, ticket = people
    now = utcnow()
    presence.beat("ticket", ticket.id, ann, now=now)
    presence.beat("ticket", ticket.id, bob, now=now)
    assert [h.name for h in presence.others("ticket", ticket.id, bob, now=now)] == ["Ann"]
    assert [h.name for h in presence.others("ticket", ticket.id, ann, now=now)] == ["Bob"]
    assert presence.others("thread", ticket.id, bob, now=now) == []  # another kind of page


def test_an_entry_expires_by_itself_after_the_ttl(store, people):
    """Nothing stays behind when a tab closes without a word: the last beat simply ages out."""
    ann, bob, ticket = people
    start = utcnow()
    presence.beat("ticket", ticket.id, ann, now=start)
    almost = start + presence.TTL - SECOND
    assert [h.name for h in presence.others("ticket", ticket.id, bob, now=almost)] == ["Ann"]
    assert presence.others("ticket", ticket.id, bob, now=start + presence.TTL + SECOND) == []


def test_typing_shows_then_fades_while_the_page_stays_open(store, people):
    ann, bob, ticket = people
    start = utcnow()
    presence.beat("ticket", ticket.id, ann, typing=True, now=start)
    (seen,) = presence.others("ticket", ticket.id, bob, now=start + SECOND)
    assert seen.typing and seen.name == "Ann"
    later = start + presence.TYPING_TTL + SECOND
    presence.beat("ticket", ticket.id, ann, now=later)  # still polling, no longer typing
    (seen,) = presence.others("ticket", ticket.id, bob, now=later)
    assert not seen.typing


def test_leave_removes_at_once(store, people):
    ann, bob, ticket = people
    now = utcnow()
    presence.beat("ticket", ticket.id, ann, typing=True, now=now)
    presence.leave("ticket", ticket.id, ann)
    assert presence.others("ticket", ticket.id, bob, now=now) == []


def test_rows_of_a_page_are_answered_together(store, people, make_ticket, make_user):
    ann, bob, ticket = people
    other = make_ticket(make_user(level="SITE"))
    quiet = make_ticket(make_user(level="FREE"))
    now = utcnow()
    presence.beat("ticket", ticket.id, ann, now=now)
    presence.beat("ticket", other.id, ann, typing=True, now=now)
    presence.beat("ticket", other.id, bob, now=now)

    class Row:
        def __init__(self, channel, id):
            self.channel, self.id = channel, id
    rows = [Row("ticket", ticket.id), Row("ticket", other.id), Row("ticket", quiet.id), Row("forum", ticket.id)]
    found = presence.on_rows(rows, bob, now=now)
    assert set(found) == {("ticket", ticket.id), ("ticket", other.id)}  # bob himself is left out
    assert [(h.name, h.typing) for h in found[("ticket", other.id)]] == [("Ann", True)]


def test_an_unknown_page_is_not_found(store, people):
    from portal.services.errors import NotFound
    ann, _, _ = people
    with pytest.raises(NotFound):
        presence.beat("ticket", 999_999, ann)
    with pytest.raises(NotFound):
        presence.beat("invoice", 1, ann)


def test_database_beats_keep_one_row_and_sweep_old_ones(app, people):
    app.extensions["runtime"].state["presence_store"] = presence.DatabaseStore()
    ann, bob, ticket = people
    start = utcnow()
    for i in range(3):
        presence.beat("ticket", ticket.id, ann, typing=i == 1, now=start + i * SECOND)
    assert Presence.select().count() == 1
    presence.beat("ticket", ticket.id, bob, now=start + 10 * presence.TTL)  # long after ann left
    assert [(p.user_id) for p in Presence.select()] == [bob.id]


def test_racing_beats_of_one_agent_make_one_row(app, make_user, login, make_ticket):
    """The upsert is race-safe on both databases: many beats at once, one row."""
    app.config["PRESENCE_STORE"] = "database"
    ann = make_user(role="staff", display_name="Ann")
    ticket = make_ticket(make_user(level="PRO"))
    clients = [login(ann, app.test_client()) for _ in range(4)]
    page = f"/staff/tickets/{ticket.id}"
    tokens = [csrf_token(c, page) for c in clients]
    results = race_posts(clients, f"{page}/presence/typing", [{"csrf_token": t} for t in tokens], seconds=30)
    assert [code for code, _ in results] == [200] * 4, results
    with app.app_context():
        assert Presence.select().where(Presence.object_id == ticket.id).count() == 1


# -- Redis down: nothing shown, nothing broken, logged once ---------------------------------------

def test_a_redis_that_is_down_shows_nobody_and_logs_once(app, people, caplog):
    ann, bob, ticket = people
    down = presence.RedisStore(f"redis://127.0.0.1:{_closed_port()}/0")
    app.extensions["runtime"].state["presence_store"] = down
    with caplog.at_level(logging.WARNING, logger="portal.presence"):
        presence.beat("ticket", ticket.id, ann)
        presence.beat("ticket", ticket.id, ann, typing=True)
        assert presence.others("ticket", ticket.id, bob) == []
        presence.leave("ticket", ticket.id, ann)
    warnings = [r for r in caplog.records if r.name == "portal.presence"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()


def test_pages_answer_when_the_redis_store_is_down(app, make_user, login, make_ticket, make_thread):
    app.config.update(PRESENCE_STORE="redis", REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    agent = make_user(role="staff")
    ticket = make_ticket(make_user(level="PRO"))
    make_thread(make_user(level="FREE"))
    client = login(agent, app.test_client())
    assert client.get(f"/staff/tickets/{ticket.id}/presence").status_code == 200
    token = csrf_token(client, f"/staff/tickets/{ticket.id}")
    assert client.post(f"/staff/tickets/{ticket.id}/presence/typing", data={"csrf_token": token}).status_code == 200
    assert client.get("/staff/queue").status_code == 200
    assert client.get(f"/staff/tickets/{ticket.id}").status_code == 200


# -- through the pages ----------------------------------------------------------------------------

@pytest.fixture
def two_agents(app, make_user, login, make_ticket):
    app.config["PRESENCE_STORE"] = "database"
    ann = make_user(role="staff", display_name="Ann")
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"), subject="Viewer drops after an hour")
    return ticket, login(ann, app.test_client()), login(bob, app.test_client())


def test_each_agent_sees_the_other_on_the_ticket(two_agents):
    ticket, ann, bob = two_agents
    url = f"/staff/tickets/{ticket.id}/presence"
    first = ann.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="presence"' in first and "has this open" not in first  # alone on the page
    seen_by_bob = bob.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ann has this open" in seen_by_bob and "Bob" not in seen_by_bob
    assert "Bob has this open" in ann.get(url).get_data(as_text=True)


def test_typing_is_shown_to_the_other(two_agents):
    ticket, ann, bob = two_agents
    page = f"/staff/tickets/{ticket.id}"
    answer = ann.post(f"{page}/presence/typing", data={"csrf_token": csrf_token(ann, page)})
    assert answer.status_code == 200
    assert "Ann is typing a reply" in bob.get(f"{page}/presence").get_data(as_text=True)


def test_typing_needs_the_csrf_token(two_agents):
    ticket, ann, _ = two_agents
    assert ann.post(f"/staff/tickets/{ticket.id}/presence/typing").status_code == 400


def test_leaving_removes_you_for_the_others(two_agents):
    ticket, ann, bob = two_agents
    page = f"/staff/tickets/{ticket.id}"
    ann.get(f"{page}/presence")
    assert ann.post(f"{page}/presence/leave", data={"csrf_token": csrf_token(ann, page)}).status_code == 204
    assert "Ann" not in bob.get(f"{page}/presence").get_data(as_text=True)


def test_the_ticket_page_carries_the_presence_box(two_agents):
    ticket, ann, _ = two_agents
    html = ann.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert f'hx-get="/staff/tickets/{ticket.id}/presence"' in html
    assert 'hx-trigger="load, every 5s"' in html and 'id="typing-beat"' in html


def test_the_queue_row_shows_who_is_on_the_ticket(two_agents, app, make_ticket, make_user):
    ticket, ann, bob = two_agents
    page = f"/staff/tickets/{ticket.id}"
    ann.post(f"{page}/presence/typing", data={"csrf_token": csrf_token(ann, page)})
    rows = bob.get("/staff/queue", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-presence="Ann"' in rows and "Ann is typing" in rows
    assert 'data-presence="Ann"' not in ann.get("/staff/queue").get_data(as_text=True)  # not yourself


def test_the_queue_asks_once_for_all_rows(two_agents, app, make_ticket, make_user, make_thread):
    """One presence query for a page of rows, however many rows and agents there are (no N+1)."""
    ticket, ann, bob = two_agents
    costs = {}
    for n in (1, 6):
        while True:
            with app.app_context():
                count = Ticket.select().count()
            if count >= n:
                break
            make_ticket(make_user(level="PLUS"))
        with app.app_context():
            ids = [t.id for t in Ticket.select()]
        for ticket_id in ids:
            ann.get(f"/staff/tickets/{ticket_id}/presence")
        bob.get("/staff/queue", headers={"HX-Request": "true"})  # warm
        with counting_queries() as seen:
            html = bob.get("/staff/queue", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert html.count('data-presence="Ann"') == len(ids)
        costs[n] = sum("presence" in sql.lower() for sql in seen)
    assert costs == {1: 1, 6: 1}, costs


def test_others_may_not_reach_presence(two_agents, app, make_user, login):
    ticket, _, _ = two_agents
    customer = login(make_user(level="PRO"), app.test_client())
    assert customer.get(f"/staff/tickets/{ticket.id}/presence").status_code == 404
    assert app.test_client().get(f"/staff/tickets/{ticket.id}/presence").status_code == 404
    token = csrf_token(customer, "/policy")
    assert customer.post(f"/staff/tickets/{ticket.id}/presence/typing", data={"csrf_token": token}).status_code == 404


def test_an_unknown_ticket_has_no_presence(two_agents):
    _, ann, _ = two_agents
    assert ann.get("/staff/tickets/999999/presence").status_code == 404
    assert ann.get("/staff/threads/999999/presence").status_code == 404
    assert ann.get("/staff/invoices/1/presence").status_code == 404


def test_a_forum_thread_page_and_its_queue_row_show_presence_too(two_agents, make_thread, make_user):
    _, ann, bob = two_agents
    thread = make_thread(make_user(level="FREE"))
    page = f"/staff/threads/{thread.id}"
    assert f'hx-get="{page}/presence"' in ann.get(page).get_data(as_text=True)
    ann.post(f"{page}/presence/typing", data={"csrf_token": csrf_token(ann, page)})
    assert "Ann is typing a reply" in bob.get(f"{page}/presence").get_data(as_text=True)
    rows = bob.get("/staff/queue").get_data(as_text=True)
    row = rows[rows.index(f'data-request-id="{thread.id}" data-channel="forum"'):]
    assert 'data-presence="Ann"' in row[:row.index("</tr>")]


# -- the Redis store in particular ----------------------------------------------------------------

@pytest.fixture
def redis_store(app):
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"test:presence:{uuid.uuid4().hex}:"
    app.config.update(PRESENCE_STORE="redis", REDIS_URL=REDIS_URL, PRESENCE_KEY_PREFIX=prefix)
    app.extensions["runtime"].state.pop("presence_store", None)  # built from the settings on first use
    yield prefix
    made = app.extensions["runtime"].state.get("presence_store")
    if isinstance(made, presence.RedisStore):
        keys = list(made.client.scan_iter(f"{prefix}*"))
        if keys:
            made.client.delete(*keys)


def test_redis_keys_expire_by_themselves(redis_store, people):
    ann, _, ticket = people
    presence.beat("ticket", ticket.id, ann, typing=True)
    made = presence.store()
    assert isinstance(made, presence.RedisStore)
    keys = sorted(k.decode() for k in made.client.scan_iter(f"{redis_store}*"))
    assert keys == [f"{redis_store}ticket:{ticket.id}:seen", f"{redis_store}ticket:{ticket.id}:typing"]
    assert all(0 < made.client.ttl(k) <= 3 * presence.TTL.total_seconds() for k in keys)


def test_redis_answers_a_page_of_rows_in_one_round_trip(redis_store, people, make_ticket, make_user):
    ann, bob, ticket = people
    tickets = [ticket] + [make_ticket(make_user(level="PLUS")) for _ in range(5)]
    for t in tickets:
        presence.beat("ticket", t.id, ann)
    made, trips = presence.store(), []
    original = made.client.pipeline

    def counted(*args, **kwargs):
        trips.append(1)
        return original(*args, **kwargs)
    made.client.pipeline = counted

    class Row:
        def __init__(self, id):
            self.channel, self.id = "ticket", id
    with counting_queries() as seen:
        found = presence.on_rows([Row(t.id) for t in tickets], bob)
    assert len(found) == 6 and len(trips) == 1 and len(seen) == 1  # one round trip, one query for the names


def test_two_agents_see_each_other_through_redis(two_agents, redis_store):
    ticket, ann, bob = two_agents
    page = f"/staff/tickets/{ticket.id}"
    ann.get(f"{page}/presence")
    assert "Ann has this open" in bob.get(f"{page}/presence").get_data(as_text=True)
    with bob.application.app_context():
        assert Presence.select().count() == 0  # kept in Redis, not in the table
