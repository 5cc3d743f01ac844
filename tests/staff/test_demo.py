"""The demo fills the queue: every level, a reseller ticket, forum threads, assigned and breached (issue 6)."""
from portal.models import CannedReply, Ticket
from portal.services import queue


def test_demo_queue_has_every_level_assigned_and_breached(app, ctx):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["portal", "demo", "--password", "demo pass 123"]).exit_code == 0
    count = Ticket.select().count()
    again = runner.invoke(args=["portal", "demo", "--password", "demo pass 123"])
    assert again.exit_code == 0, again.output
    assert Ticket.select().count() == count  # idempotent
    rows = queue.queue_page(limit=200).rows
    levels = {r.level for r in rows if r.channel == "ticket"}
    assert {"SITE", "PRO", "PLUS", "STARTER", "RESELLER", "FREE", "TRIAL"} <= levels
    assert any(r.channel == "forum" for r in rows)
    assert any(r.assignee for r in rows) and any(r.state == "breached" for r in rows)
    assert any(r.state == "breached" and r.channel == "forum" for r in rows)
    assert CannedReply.select().count() == 5
