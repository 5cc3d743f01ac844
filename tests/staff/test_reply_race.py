"""Two agents send a reply written against the same ticket revision at the same moment: exactly
one lands, the other is held (issue 13, the optimistic reply check; a conditional UPDATE on
`revision` decides). Each client runs in its own thread, on its own connection; SQLite and,
with PORTAL_TEST_DATABASE_URL set, PostgreSQL."""
import re

from portal.models import AuditLog, Message, Ticket
from tests.factories import csrf_token, race_posts


def test_two_agents_reply_at_once_exactly_one_lands(app, make_user, login, make_ticket, outbox):
    for round_ in range(4):  # several rounds: the outcome must never depend on luck
        customer = make_user(level="PRO")
        ticket = make_ticket(customer)
        agents = [make_user(role="staff", display_name=f"Ann{round_}"), make_user(role="staff", display_name=f"Bob{round_}")]
        clients = [login(a, app.test_client()) for a in agents]
        page = f"/staff/tickets/{ticket.id}"
        forms = []
        for i, client in enumerate(clients):
            html = client.get(page).get_data(as_text=True)
            revision = re.search(r'id="reply-revision" value="(\d+)"', html).group(1)
            forms.append({"csrf_token": csrf_token(client, page), "revision": revision,
                          "body": f"Answer {i} of round {round_}.", "status": "waiting"})
        results = race_posts(clients, f"{page}/reply", forms, seconds=30)
        assert sorted(code for code, _ in results) == [302, 409], results
        held = next(body for code, body in results if code == 409)
        landed = next(i for i, (code, _) in enumerate(results) if code == 302)
        assert f"Answer {landed} of round {round_}." in held  # the held agent sees the reply that landed
        replies = Message.select().where((Message.ticket == ticket) & (Message.author != customer.id))
        assert [m.body for m in replies] == [f"Answer {landed} of round {round_}."]
        assert Ticket.get_by_id(ticket.id).revision == 1
        audited = AuditLog.select().where((AuditLog.action == "reply") & (AuditLog.object_id == str(ticket.id)))
        assert [a.actor_id for a in audited] == [agents[landed].id]
        assert sum(1 for mail in outbox if f"Answer {landed} of round {round_}." in mail["body"]) == 1
        assert not any(f"Answer {1 - landed} of round {round_}." in mail["body"] for mail in outbox)
