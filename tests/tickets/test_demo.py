"""The demo gains open tickets for every level, a reseller ticket and a remote-session request."""
from portal.demo import STEPS, accounts, tickets
from portal.models import Message, RemoteSession, Ticket


def test_demo_tickets_are_seeded_once(app):
    assert "portal.demo.tickets" in STEPS
    with app.app_context():
        accounts.seed("demo pass 123")
        tickets.seed("demo pass 123")
        count = Ticket.select().count()
        levels = {t.level for t in Ticket.select().where(Ticket.status == "open")}
        assert {"SITE", "PRO", "PLUS", "STARTER", "FREE", "TRIAL", "RESELLER"} <= levels
        assert RemoteSession.select().where(RemoteSession.status == "requested").count() == 1
        assert Message.select().count() > count
        tickets.seed("demo pass 123")
        assert Ticket.select().count() == count
