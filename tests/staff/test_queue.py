"""The shared queue: order, keyset paging, filters, row data, polling (issue 6; policy 4.6, 2.1, 3.4)."""
import datetime
import random
import re

from portal.db import utcnow
from portal.models import Ticket, Thread
from portal.services import get_policy, queue
from tests.staff.helpers import at, queue_rows, why

LEVEL_USERS = ("SITE", "PRO", "PLUS", "STARTER", "TRIAL")


def _people(make_user):
    people = {level: make_user(level=level) for level in LEVEL_USERS}
    people["FREE"] = make_user(level="FREE")
    people["RESELLER"] = make_user(role="reseller")
    return people


def _expected(items):
    """policy.queue_key order of (channel, object) pairs."""
    policy = get_policy()

    def key(pair):
        channel, obj = pair
        opened = obj.opened_at if channel == "ticket" else obj.created_at
        return policy.queue_key(channel, obj.level, obj.due_at, opened, obj.id)
    return [(c, o.id) for c, o in sorted(items, key=key)]


def _walk(filters=None, limit=7):
    """Every row of the queue, page by page, following the cursors."""
    seen, cursor = [], None
    while True:
        page = queue.queue_page(filters, cursor, limit)
        seen += [(r.channel, r.id) for r in page.rows]
        assert len(page.rows) <= limit
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_database_order_equals_policy_queue_key_with_keyset_paging(app, ctx, make_user, make_ticket,
                                                                    make_thread):
    # policy 4.6 tickets before threads; 2.1 level order; 3.4 RESELLER between STARTER and FREE
    rng = random.Random(6)
    people = _people(make_user)
    base = at(days_ago=3, micro=0)
    items = []
    for n in range(90):
        level = rng.choice(list(people))
        opened = base + datetime.timedelta(minutes=rng.randint(0, 3000), microseconds=rng.choice((0, 1, 500)))
        due = base + datetime.timedelta(hours=rng.choice((5, 10, 10, 30)))  # many equal due times
        make = make_ticket if rng.random() < 0.6 else make_thread
        obj = make(people[level], level=level, opened=opened, due=due)
        items.append(("ticket" if make is make_ticket else "forum", obj))
    # requests that must not appear: answered, hidden, closed
    make_ticket(people["PRO"], awaiting_staff=False)
    make_ticket(people["PRO"], status="closed")
    make_thread(people["PRO"], hidden=True)
    make_thread(people["PRO"], awaiting_staff=False)
    expected = _expected(items)
    for limit in (1, 7, 50, 200):
        walked = _walk(limit=limit)
        assert walked == expected  # same order, no duplicates, no gaps
    levels = {(channel, obj.id): obj.level for channel, obj in items}
    for level in people:  # a level's filter pins the band: its pages are bounded by the rest of the cursor
        for limit in (1, 4):
            assert _walk(queue.Filters(level=level), limit=limit) == [p for p in expected if levels[p] == level]
    assert [c for c, _ in expected].index("forum") == sum(1 for c, _ in items if c == "ticket")


def test_http_pages_follow_the_cursor_without_duplicates(app, client, make_user, login, make_ticket,
                                                         make_thread):
    pro = make_user(level="PRO")
    made = [make_ticket(pro, opened=at(hours=n)) for n in range(60)] + [make_thread(pro) for _ in range(5)]
    login(make_user(role="staff"))
    ids, url = [], "/staff/queue"
    while url:
        html = client.get(url).get_data(as_text=True)
        ids += [(r["channel"], r["request-id"]) for r in queue_rows(html)]
        nxt = re.search(r'href="([^"]*after=[^"]+)" rel="next"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(ids) == len(set(ids)) == len(made)


def test_bad_cursor_is_refused_not_crashed(app, client, make_user, login):
    login(make_user(role="staff"))
    for bad in ("x", "ticket~1~2024-01-01T00:00:00~zzz~1", "forum~1~2024-13-45T00:00:00~2024-01-01T00:00:00~1"):
        response = client.get("/staff/queue", query_string={"after": bad})
        assert response.status_code == 400 and b"not valid" in response.data


def test_rows_carry_data_attributes_and_explanations(app, client, make_user, login, make_ticket,
                                                     make_thread):
    agent = make_user(role="staff", display_name="Ann")
    reseller = make_user(role="reseller")
    ticket = make_ticket(reseller, assignee=agent, is_english=False, language="de")
    thread = make_thread(make_user(level="TRIAL"))
    login(agent)
    html = client.get("/staff/queue").get_data(as_text=True)
    rows = {(r["channel"], int(r["request-id"])): r for r in queue_rows(html)}
    assert rows[("ticket", ticket.id)] == {"request-id": str(ticket.id), "channel": "ticket", "level": "RESELLER",
                                           "due": ticket.due_at.isoformat(),
                                           "assignee": agent.email}
    assert rows[("forum", thread.id)] == {"request-id": str(thread.id), "channel": "forum", "level": "TRIAL",
                                          "due": thread.due_at.isoformat()}
    due = datetime.datetime.fromisoformat(rows[("forum", thread.id)]["due"])
    assert due.utcoffset() is not None and due == thread.due_at  # ISO 8601 with offset
    assert "Why is this here?" in html  # the explanation loads when a row's is opened (issue 16)
    assert "Ticket · RESELLER · due" in why(client, f"ticket-{ticket.id}")
    assert "Forum · TRIAL" in why(client, f"forum-{thread.id}")
    assert "Not English" in html and "current" in html and "Ann" in html  # 4.2 flag, 7.2 verdict, assignee


def test_business_time_left_at_risk_and_breached(app, ctx, make_user, make_ticket):
    policy, pro = get_policy(), make_user(level="PRO")
    now = datetime.datetime(2025, 3, 5, 17, 0, tzinfo=datetime.timezone.utc)  # Wed 09:00 Pacific
    opened = datetime.datetime(2025, 3, 4, 17, 0, tzinfo=datetime.timezone.utc)
    ok = make_ticket(pro, opened=now, due=policy.first_response_due(now, "PRO"))
    risky = make_ticket(pro, opened=opened, due=now + datetime.timedelta(minutes=20))
    late = make_ticket(pro, opened=opened, due=now - datetime.timedelta(hours=1))
    rows = {r.id: r for r in queue.queue_page(now=now).rows}
    assert rows[ok.id].state == "ok" and rows[ok.id].time_text == "3 h of business time left"
    assert rows[risky.id].state == "at_risk" and rows[risky.id].time_text == "20 min of business time left"  # under 25 % left
    assert rows[late.id].state == "breached" and rows[late.id].time_text == "overdue by 1 h of business time"


def test_filters_level_product_assignee_breached(app, client, make_user, login, make_ticket,
                                                 make_thread):
    agent, other = make_user(role="staff"), make_user(role="staff")
    site, free = make_user(level="SITE"), make_user(level="FREE")
    mine = make_ticket(site, assignee=agent)
    theirs = make_ticket(site, assignee=other, product="Remote Utilities Server")
    loose = make_ticket(free, due=at(hours=2))
    thread = make_thread(free, due=at(hours=1))
    login(agent)

    def ids(**args):
        html = client.get("/staff/queue", query_string=args).get_data(as_text=True)
        return {int(r["request-id"]) for r in queue_rows(html)}, html
    assert ids(level="SITE")[0] == {mine.id, theirs.id}
    assert ids(level="FREE")[0] == {loose.id, thread.id}
    assert ids(product="Remote Utilities Server")[0] == {theirs.id}
    assert ids(assignee="me")[0] == {mine.id}
    assert ids(assignee="none")[0] == {loose.id, thread.id}
    found, html = ids(breached="1", level="FREE")
    assert found == {loose.id, thread.id} and ids(breached="1", level="SITE")[0] == set()
    # the filters stay in the URL: the form keeps them and the poller asks for the same URL
    assert re.search(r'<option (selected value="FREE"|value="FREE" selected)>', html)
    assert re.search(r'<input (?=[^>]*\bchecked\b)(?=[^>]*id="f-breached")', html)
    assert re.search(r'hx-get="/staff/queue\?[^"]*breached=1[^"]*" hx-trigger="every 30s"', html)


def test_filters_are_validated_against_allowlists(app, client, make_user, login):
    login(make_user(role="staff"))
    for args, message in (({"level": "GOLD"}, b"Unknown level"), ({"product": "Other"}, b"Unknown product"),
                          ({"assignee": "bob"}, b"Choose anyone")):
        response = client.get("/staff/queue", query_string=args)
        assert response.status_code == 400 and message in response.data


def test_polling_returns_only_the_rows_block(app, client, make_user, login, make_ticket):
    pro = make_user(level="PRO")
    make_ticket(pro)
    login(make_user(role="staff"))
    response = client.get("/staff/queue?level=PRO", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="queue-rows"') and "<html" not in html
    assert 'hx-get="/staff/queue?level=PRO"' in html and 'hx-swap="outerHTML"' in html


def test_queue_query_uses_the_index_not_a_sort(app, ctx, make_user):
    """No N+1 and no sort step: the database walks the (awaiting_staff, rank_band, ...) index."""
    from portal import db as database
    pro = make_user(level="PRO")
    Ticket.insert_many([dict(requester=pro.id, product="Remote Utilities", subject=f"s{n}", level="PRO",
                             rank_band=2, due_at=at(hours=n), opened_at=at(hours=n),
                             policy_version="x") for n in range(300)]).execute()
    cursor = queue.parse_cursor(queue.queue_page(limit=10).next_cursor)
    for channel in ("ticket", "forum"):
        sql, params = queue.select_channel(channel, queue.Filters(), cursor, 11, utcnow()).sql()
        index = f"{'ticket' if channel == 'ticket' else 'thread'}_awaiting_staff_rank_band"
        if database.is_sqlite():
            plan = " ".join(str(r) for r in database.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
            assert "TEMP B-TREE" not in plan and index in plan, plan
        else:
            database.db.execute_sql("ANALYZE ticket")
            database.db.execute_sql("ANALYZE thread")
            database.db.execute_sql("SET enable_seqscan = off")
            plan = " ".join(r[0] for r in database.db.execute_sql("EXPLAIN " + sql, params))
            database.db.execute_sql("RESET enable_seqscan")
            assert "Sort" not in plan and index in plan, plan


def test_thread_due_comes_from_the_author_level(app, ctx, make_user, make_thread):
    site, trial = make_user(level="SITE"), make_user(level="TRIAL")
    a, b = make_thread(trial), make_thread(site)
    rows = queue.queue_page().rows
    assert [r.id for r in rows] == [b.id, a.id] and rows[0].level == "SITE"
    assert Thread.get_by_id(a.id).due_at > Thread.get_by_id(b.id).due_at
