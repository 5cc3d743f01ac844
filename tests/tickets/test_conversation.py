"""Replies (htmx and plain), staff replies and mail, internal notes, status, close/reopen, upgrades."""
import datetime

from portal.db import utcnow
from portal.models import Message, Ticket
from portal.services import get_policy
from portal.services import tickets as service
from portal.services.errors import FieldError
from tests import factories
from tests.tickets.conftest import post, text


def test_htmx_reply_appends_the_message_without_a_page(user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner)
    client = client_for(owner)
    response = post(client, f"/tickets/{t.id}/reply", {"body": "More detail: it fails at 99%."}, htmx=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    body = text(response)
    assert "<html" not in body and body.lstrip().startswith("<li id=\"m")
    assert "More detail: it fails at 99%." in body
    assert 'id="reply-form" hx-swap-oob="true"' in body  # the form comes back empty
    assert 'id="ticket-status" class="card ticket-status" aria-label="Status" hx-swap-oob="true"' in body
    assert Message.select().count() == 2


def test_plain_reply_redirects_and_empty_reply_is_refused(user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner)
    client = client_for(owner)
    response = post(client, f"/tickets/{t.id}/reply", {"body": "A plain reply"})
    assert response.status_code == 302 and f"/tickets/{t.id}#m" in response.headers["Location"]
    empty = post(client, f"/tickets/{t.id}/reply", {"body": "   "})
    assert empty.status_code == 400 and 'id="e-reply"' in text(empty)
    hx_empty = post(client, f"/tickets/{t.id}/reply", {"body": ""}, htmx=True)
    assert hx_empty.status_code == 200 and hx_empty.headers["HX-Retarget"] == "#reply-form"
    assert 'id="e-reply"' in text(hx_empty)
    assert Message.select().count() == 2


def test_first_staff_reply_records_the_first_response_and_mails_the_requester(app, user, ticket, client_for,
                                                                              outbox):
    owner = user(level="PRO")
    t = ticket(owner)
    agent = user(role="staff", display_name="Dana")
    staff = client_for(agent)
    outbox.clear()
    assert post(staff, f"/tickets/{t.id}/reply", {"body": "Please send the log."}).status_code == 302
    fresh = Ticket.get_by_id(t.id)
    assert fresh.first_response_at is not None and fresh.first_response_met is True  # policy 2.1
    assert fresh.status == "waiting" and not fresh.awaiting_staff
    assert len(outbox) == 1 and outbox[0]["to"] == owner.email
    assert "Please send the log." in outbox[0]["body"] and f"/tickets/{t.id}" in outbox[0]["body"]
    first = fresh.first_response_at
    post(staff, f"/tickets/{t.id}/reply", {"body": "Second answer."})
    assert Ticket.get_by_id(t.id).first_response_at == first  # only the first one counts
    assert len(outbox) == 2  # every staff reply is mailed
    # a customer reply puts it back in the queue
    post(client_for(owner), f"/tickets/{t.id}/reply", {"body": "Here it is."})
    fresh = Ticket.get_by_id(t.id)
    assert fresh.status == "open" and fresh.awaiting_staff


def test_late_first_response_is_recorded_as_missed(app, user, ticket, in_app):
    owner, agent = user(level="SITE"), user(role="staff")
    t = ticket(owner)
    Ticket.update(due_at=t.due_at - datetime.timedelta(days=30)).where(Ticket.id == t.id).execute()
    in_app(service.add_reply, Ticket.get_by_id(t.id), agent, "Sorry for the wait.")
    assert Ticket.get_by_id(t.id).first_response_met is False


def test_internal_notes_are_hidden_from_customers_and_change_nothing(user, ticket, client_for, outbox, in_app):
    owner, agent = user(level="PRO"), user(role="staff")
    t = ticket(owner)
    outbox.clear()
    in_app(service.add_reply, t, agent, "Customer seems to run an old build (internal).", internal=True)
    fresh = Ticket.get_by_id(t.id)
    assert fresh.status == "open" and fresh.awaiting_staff and fresh.first_response_at is None
    assert outbox == []
    assert "old build" not in text(client_for(owner).get(f"/tickets/{t.id}"))
    assert "old build" in text(client_for(agent).get(f"/tickets/{t.id}", follow_redirects=True))
    # a customer cannot make an internal note
    post(client_for(owner), f"/tickets/{t.id}/reply", {"body": "Am I internal?", "internal": "1"})
    assert not Message.get(Message.body == "Am I internal?").internal


def test_customer_closes_and_reopens(user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner)
    client = client_for(owner)
    assert post(client, f"/tickets/{t.id}/close").status_code == 302
    assert Ticket.get_by_id(t.id).status == "closed"
    page = text(client.get(f"/tickets/{t.id}"))
    assert "This ticket is closed. Reopen it to reply." in page and "Reopen ticket" in page
    refused = post(client, f"/tickets/{t.id}/reply", {"body": "after closing"})
    assert refused.status_code == 400 and Message.select().count() == 1
    assert post(client, f"/tickets/{t.id}/reopen").status_code == 302
    fresh = Ticket.get_by_id(t.id)
    assert fresh.status == "open" and fresh.awaiting_staff


def test_staff_status_changes_are_validated(user, ticket, in_app):
    owner, agent = user(level="PRO"), user(role="staff")
    t = ticket(owner)
    for bad, actor in (("bogus", agent), ("solved", owner)):
        try:
            in_app(service.set_status, t, actor, bad)
        except FieldError:
            pass
        else:
            raise AssertionError(bad)
    in_app(service.set_status, t, agent, "solved")
    assert Ticket.get_by_id(t.id).status == "solved"


def test_upgrade_reprioritises_open_tickets_at_once(app, user, ticket, in_app):
    # policy 2.2 Decision: due = min(old due, upgrade time + new target); band follows the level
    owner = user(level="STARTER")
    t = ticket(owner)
    closed = ticket(owner, subject="Closed one")
    in_app(service.close_ticket, closed, owner)
    with app.app_context():
        policy = get_policy()
        factories.make_license("SITE", user=owner)
        from portal.services.licenses import refresh_level
        refresh_level(owner)
        fresh = Ticket.get_by_id(t.id)
        assert fresh.level == "SITE" and fresh.rank_band == policy.rank_band("ticket", "SITE")
        assert fresh.due_at <= t.due_at
        latest = policy.first_response_due(utcnow(), "SITE")
        assert fresh.due_at <= latest
        assert Ticket.get_by_id(closed.id).level == "STARTER"  # only open requests move


def test_detail_shows_bug_eta_and_workaround(user, ticket, client_for):
    from portal.models import Bug
    owner = user(level="PRO")
    t = ticket(owner)
    bug = Bug.create(title="Viewer freezes on monitor switch", eta=datetime.date(2030, 5, 1),
                     workaround="Disable hardware acceleration in the Viewer settings.")
    Ticket.update(bug=bug).where(Ticket.id == t.id).execute()
    page = text(client_for(owner).get(f"/tickets/{t.id}"))
    assert "Viewer freezes on monitor switch" in page and "Wed 1 May 2030" in page  # policy 5.2
    assert "Disable hardware acceleration" in page  # policy 5.3


def test_user_text_is_escaped(user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner, subject="<script>alert(1)</script> subject", body="<img src=x onerror=alert(1)> body text")
    page = text(client_for(owner).get(f"/tickets/{t.id}"))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
