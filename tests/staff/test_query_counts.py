"""The staff ticket page costs a fixed number of queries, however long the ticket's history (no N+1)."""
import datetime

from portal.db import utcnow
from portal.models import Credential, CredentialView, Message, RemoteSession
from portal.services import canned
from tests.factories import counting_queries


counting = counting_queries


def _history(ticket, customer, agent, viewers, n):
    """n messages, n past sessions and one scheduled, n credentials with n views each."""
    for i in range(n):
        Message.create(ticket=ticket, author=agent if i % 2 else customer, body=f"message {i}", internal=i == 3)
        RemoteSession.create(ticket=ticket, requested_by=customer, agent=viewers[i % len(viewers)],
                             status="ended", ended_at=utcnow())
    live = RemoteSession.create(ticket=ticket, requested_by=customer, agent=agent, status="scheduled",
                                starts_at=utcnow() + datetime.timedelta(days=2))
    for i in range(n):
        cred = Credential.create(ticket=ticket, session=live if i == n - 1 else None, submitted_by=customer,
                                 ciphertext=b"x" if i == n - 1 else None)
        for j in range(n):
            CredentialView.create(credential=cred, viewer=viewers[j % len(viewers)])


def _page_cost(client, ticket_id):
    assert client.get(f"/staff/tickets/{ticket_id}").status_code == 200  # warm: seeding, sessions
    with counting() as seen:
        html = client.get(f"/staff/tickets/{ticket_id}").get_data(as_text=True)
    return len(seen), html


def test_staff_ticket_page_query_count_does_not_grow(app, client, make_user, login, make_ticket):
    agent = make_user(role="staff")
    viewers = [agent] + [make_user(role="staff") for _ in range(3)]
    login(agent)
    costs = {}
    for n in (2, 10):
        customer = make_user(level="PRO")
        ticket = make_ticket(customer)
        with app.app_context():
            _history(ticket, customer, agent, viewers, n)
        costs[n], html = _page_cost(client, ticket.id)
        assert html.count('data-session-id=') == n + 1 and html.count('data-credential-id=') == n
        assert f"message {n - 1}" in html and "Show credentials" in html
    assert costs[2] == costs[10], costs
    assert costs[10] <= 16, costs  # user, ticket, canned, messages, attachments, releases, staff; requester:
    # licenses, open and recent tickets; panels: sessions,
    # open bugs, credentials, views


def test_canned_replies_are_seeded_once_not_on_every_page(app, ctx):
    assert canned.all_replies()  # first use seeds them
    with counting() as seen:
        replies = canned.all_replies()
    assert len(replies) == 5 and len(seen) == 1  # just the list, no "what is missing" SELECT


def test_queue_polling_does_not_count_the_queue(app, client, make_user, login, make_ticket):
    make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    with counting() as full:
        assert "Waiting now: 1 ticket" in client.get("/staff/queue").get_data(as_text=True)
    with counting() as poll:
        assert client.get("/staff/queue", headers={"HX-Request": "true"}).status_code == 200
    assert sum("COUNT(" in sql.upper() for sql in full) == 2  # the heading's depth, per channel
    assert not any("COUNT(" in sql.upper() for sql in poll)  # the rows fragment has no heading


def test_the_queue_depth_is_kept_a_few_seconds_per_worker(app, client, make_user, login, make_ticket, monkeypatch):
    from portal.services import kept, queue
    seconds = [1000.0]
    monkeypatch.setattr(kept, "_seconds", lambda: seconds[0])
    make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    assert "Waiting now: 1 ticket," in client.get("/staff/queue").get_data(as_text=True)
    make_ticket(make_user(level="PRO"))
    with counting() as kept:
        assert "Waiting now: 1 ticket," in client.get("/staff/queue").get_data(as_text=True)  # the kept count
    assert not any("COUNT(" in sql.upper() for sql in kept)
    assert "Waiting now: 0 tickets" in client.get("/staff/queue?level=FREE").get_data(as_text=True)  # its own
    other = login(make_user(role="staff"), app.test_client())
    with counting() as shared:
        assert "Waiting now: 1 ticket," in other.get("/staff/queue").get_data(as_text=True)  # agents share it
    assert not any("COUNT(" in sql.upper() for sql in shared)
    seconds[0] += queue.DEPTH_SECONDS + 0.1
    assert "Waiting now: 2 tickets" in client.get("/staff/queue").get_data(as_text=True)
