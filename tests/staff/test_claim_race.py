"""Two agents claim the same ticket at the same moment: exactly one wins (issue 6).

Each client runs in its own thread and so on its own database connection (peewee keeps
connections per thread); a barrier releases both requests together. Runs on SQLite and,
with PORTAL_TEST_DATABASE_URL set, on PostgreSQL.
"""

from portal.models import AuditLog, Ticket
from tests.factories import csrf_token, race_posts


def _race(clients, url, tokens):
    return race_posts(clients, url, [{"csrf_token": token} for token in tokens], seconds=30)


def test_two_agents_claim_at_once_exactly_one_wins(app, make_user, login, make_ticket):
    for round_ in range(5):  # several rounds: the outcome must never depend on luck
        ann = make_user(role="staff", display_name=f"Ann{round_}")
        bob = make_user(role="staff", display_name=f"Bob{round_}")
        ticket = make_ticket(make_user(level="PRO"))
        clients = [login(ann, app.test_client()), login(bob, app.test_client())]
        page = f"/staff/tickets/{ticket.id}"
        tokens = [csrf_token(c, page) for c in clients]
        results = _race(clients, f"{page}/claim", tokens)
        codes = sorted(code for code, _ in results)
        assert codes == [302, 409], results
        winner = Ticket.get_by_id(ticket.id).assignee_id
        assert winner in (ann.id, bob.id)
        loser_body = next(body for code, body in results if code == 409)
        winner_name = ann.name if winner == ann.id else bob.name
        assert f"{winner_name} has already claimed this ticket" in loser_body  # told who has it
        claims = AuditLog.select().where((AuditLog.action == "claim") & (AuditLog.object_id == str(ticket.id)))
        assert [a.actor_id for a in claims] == [winner]


def test_many_agents_one_winner(app, make_user, login, make_ticket):
    agents = [make_user(role="staff") for _ in range(4)]
    ticket = make_ticket(make_user(level="SITE"))
    clients = [login(a, app.test_client()) for a in agents]
    page = f"/staff/tickets/{ticket.id}"
    results = _race(clients, f"{page}/claim", [csrf_token(c, page) for c in clients])
    assert sorted(code for code, _ in results) == [302, 409, 409, 409]
