"""The ticket page runs the same number of queries for 2 messages as for 10 (no N+1)."""
import re

import pytest
from portal.services import tickets as service
from portal.services.attachments import Incoming
from tests.factories import counting_queries
from tests.factories import csrf_token


@pytest.fixture
def queries():
    """Every SQL statement the app runs while the test records it: a list to clear or read."""
    with counting_queries() as seen:
        yield seen


def _conversation(app, owner, agent, make_ticket, length):
    """A ticket with `length` messages, customer and staff in turn, each carrying a small log file."""
    t = make_ticket(owner, subject=f"Conversation of {length}")
    with app.app_context():
        for n in range(length - 1):
            author = agent if n % 2 == 0 else owner
            log = Incoming(f"host{n}.log", f"log line {n}\n".encode())
            service.add_reply(t, author, f"Message {n}", files=[log])
    return t


def test_ticket_page_queries_do_not_grow_with_the_conversation(app, user, ticket, client_for, queries):
    owner, agent = user(level="PRO"), user(role="staff")
    short, long = (_conversation(app, owner, agent, ticket, n) for n in (2, 10))
    client = client_for(owner)
    counts = {}
    for t in (short, long):
        queries.clear()
        page = client.get(f"/tickets/{t.id}")
        assert page.status_code == 200 and page.get_data(as_text=True).count('class="attachments"') >= 1
        counts[t.id] = len(queries)
    assert counts[short.id] == counts[long.id], counts


def test_htmx_reply_renders_its_blocks_without_reloading_the_conversation(app, user, ticket, client_for,
                                                                         queries):
    owner, agent = user(level="PRO"), user(role="staff")
    short, long = (_conversation(app, owner, agent, ticket, n) for n in (2, 10))
    client = client_for(owner)
    csrf = csrf_token(client)
    counts = {}
    for t in (short, long):
        queries.clear()
        response = client.post(f"/tickets/{t.id}/reply", data={"body": "One more detail."},
                               headers={"HX-Request": "true", "X-CSRFToken": csrf})
        assert response.status_code == 200
        counts[t.id] = len(queries)
        message_reads = [q for q in queries if re.match(r'\s*SELECT\b.*\bFROM "message"', q, re.S)]
        assert message_reads == [], message_reads  # the 3 blocks need the new message only
    assert counts[short.id] == counts[long.id], counts


def test_the_customers_list_reads_its_page_off_an_index_not_a_sort(app, user, ticket, client_for, queries):
    """My tickets, newest activity first: migration 0016's index gives the order, so a page costs
    the same for a customer with 10 tickets as with 1,000 (SQLite's plan says; PostgreSQL's
    planner rightly scans a test's tiny table)."""
    from portal import db as database
    if not database.is_sqlite():
        pytest.skip("the plan of a tiny PostgreSQL table is a sequential scan")
    owner = user(level="PRO")
    for n in range(3):
        ticket(owner, subject=f"Ticket {n}")
    for path in ("/tickets/", "/tickets/?status=open"):
        queries.clear()
        assert client_for(owner).get(path).status_code == 200
        [listing] = [q for q in queries if 'ORDER BY "t1"."updated_at" DESC' in q]
        with app.app_context():
            plan = " ".join(row[-1] for row in database.db.execute_sql(
                "EXPLAIN QUERY PLAN " + listing, [1] * listing.count("?")).fetchall())
        assert "ticket_requester_id" in plan and "TEMP B-TREE" not in plan, plan
