"""Working a ticket: claim, assign, unassign, status, replies, internal notes (issue 6; policy 2.1)."""
import datetime

from portal.models import AuditLog, Message, Ticket
from tests.factories import csrf_token
from tests.staff.helpers import at


def _post(client, url, data=None, page=None, **kwargs):
    token = csrf_token(client, page or url.rsplit("/", 1)[0])
    return client.post(url, data=(data or {}) | {"csrf_token": token}, **kwargs)


def _actions(ticket):
    return [a.action for a in AuditLog.select().where(AuditLog.object_id == str(ticket.id)).order_by(AuditLog.id)]


def test_claim_then_the_other_agent_gets_409_with_the_holder(app, make_user, login, make_ticket):
    ann, bob = make_user(role="staff", display_name="Ann"), make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"))
    first, second = login(ann, app.test_client()), login(bob, app.test_client())
    url = f"/staff/tickets/{ticket.id}/claim"
    token = csrf_token(second, f"/staff/tickets/{ticket.id}")
    assert _post(first, url).status_code == 302
    lost = second.post(url, data={"csrf_token": token})
    assert lost.status_code == 409 and b"Ann has already claimed this ticket" in lost.data
    assert Ticket.get_by_id(ticket.id).assignee_id == ann.id
    assert _post(first, url).status_code == 302  # claiming your own ticket again is harmless
    assert _actions(ticket) == ["claim"]


def test_htmx_claim_swaps_the_assignment_component(app, client, make_user, login, make_ticket):
    agent = make_user(role="staff", display_name="Ann")
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    response = _post(client, f"/staff/tickets/{ticket.id}/claim", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card assignment"')
    assert f'data-assignee="{agent.email}"' in html and "Unassign" in html and "<html" not in html


def test_assign_to_another_agent_and_unassign(app, client, make_user, login, make_ticket):
    agent, other = make_user(role="staff"), make_user(role="admin", display_name="Boss")
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    login(agent)
    assert _post(client, f"/staff/tickets/{ticket.id}/assign", {"agent": other.id}).status_code == 302
    assert Ticket.get_by_id(ticket.id).assignee_id == other.id
    refused = _post(client, f"/staff/tickets/{ticket.id}/assign", {"agent": customer.id})  # not staff
    assert refused.status_code == 400 and b"Choose a member of staff" in refused.data
    assert Ticket.get_by_id(ticket.id).assignee_id == other.id
    # another agent's ticket: unassigning asks first (issue 13), then goes through with the holder named
    assert _post(client, f"/staff/tickets/{ticket.id}/unassign").status_code == 409
    assert Ticket.get_by_id(ticket.id).assignee_id == other.id
    assert _post(client, f"/staff/tickets/{ticket.id}/unassign", {"holder": other.id}).status_code == 302
    assert Ticket.get_by_id(ticket.id).assignee_id is None
    assert _actions(ticket) == ["assign", "unassign"]


def test_status_picker_replaces_itself_and_validates(app, client, make_user, login, make_ticket):
    login(make_user(role="staff"))
    ticket = make_ticket(make_user(level="PLUS"))
    url = f"/staff/tickets/{ticket.id}/status"
    response = _post(client, url, {"status": "solved"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<form") and 'data-status="solved"' in html
    assert Ticket.get_by_id(ticket.id).status == "solved"
    bad = _post(client, url, {"status": "deleted"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and b"Choose one of" in bad.data
    assert Ticket.get_by_id(ticket.id).status == "solved" and _actions(ticket) == ["status"]
    assert _post(client, url, {"status": "open"}).status_code == 302  # without JavaScript too


def test_reply_reaches_the_customer_and_records_the_first_response(app, make_user, login, outbox, make_ticket):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    staff = login(make_user(role="staff", display_name="Ann"), app.test_client())
    response = _post(staff, f"/staff/tickets/{ticket.id}/reply", {"body": "Please update to 8.1.0.3."})
    assert response.status_code == 302
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.first_response_at is not None and fresh.first_response_met is True  # policy 2.1
    assert not fresh.awaiting_staff and fresh.status == "waiting"
    assert outbox[-1]["to"] == customer.email and "Please update to 8.1.0.3." in outbox[-1]["body"]
    mine = login(customer, app.test_client())
    assert b"Please update to 8.1.0.3." in mine.get(f"/tickets/{ticket.id}").data
    assert "reply" in _actions(ticket)


def test_late_first_response_is_recorded_as_missed(app, client, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="SITE"), opened=at(days_ago=3), due=at(days_ago=2))
    login(make_user(role="staff"))
    _post(client, f"/staff/tickets/{ticket.id}/reply", {"body": "Sorry for the wait."})
    assert Ticket.get_by_id(ticket.id).first_response_met is False
    _post(client, f"/staff/tickets/{ticket.id}/reply", {"body": "A second reply."})
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.first_response_met is False  # only the first reply counts


def test_internal_note_is_never_shown_or_mailed_to_the_customer(app, make_user, login, outbox, make_ticket):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    staff = login(make_user(role="staff"), app.test_client())
    sent = len(outbox)
    assert _post(staff, f"/staff/tickets/{ticket.id}/note", {"note": "Looks like bug 4711."}).status_code == 302
    assert Message.get(Message.body == "Looks like bug 4711.").internal
    assert len(outbox) == sent  # no mail
    assert b"Looks like bug 4711." in staff.get(f"/staff/tickets/{ticket.id}").data
    mine = login(customer, app.test_client())
    assert b"Looks like bug 4711." not in mine.get(f"/tickets/{ticket.id}").data
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.awaiting_staff and fresh.first_response_at is None  # a note is not a response
    assert _actions(ticket) == ["internal note"]


def test_empty_reply_or_note_shows_the_error_and_writes_nothing(app, client, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    before = Message.select().count()
    reply = _post(client, f"/staff/tickets/{ticket.id}/reply", {"body": "   "})
    note = _post(client, f"/staff/tickets/{ticket.id}/note", {"note": ""})
    assert reply.status_code == note.status_code == 400
    assert b'id="e-body"' in reply.data and b'id="e-note"' in note.data
    assert Message.select().count() == before and AuditLog.select().count() == 0


def test_ticket_page_shows_conversation_facts_and_panels_slot(app, client, make_user, login, make_ticket):
    customer = make_user(level="STARTER")
    ticket = make_ticket(customer, version="6.12.0.1", version_status="unsupported", is_english=False,
                         language="de", body="Das Programm startet nicht.")
    Message.create(ticket=ticket, author=make_user(role="staff"), body="Secret staff note", internal=True)
    login(make_user(role="staff"))
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "Das Programm startet nicht." in html and "Secret staff note" in html and "Internal note" in html
    assert 'data-level="STARTER"' in html and "unsupported" in html and "Not English (de)" in html
    assert "Claim" in html and 'name="status"' in html and 'name="canned"' in html
    assert "Ticket · STARTER · due" in html  # policy.explain_rank
    assert client.get("/staff/tickets/999999").status_code == 404


def test_first_response_due_time_shown_with_offset(app, client, make_user, login, make_ticket):
    due = datetime.datetime(2030, 1, 7, 18, 0, tzinfo=datetime.timezone.utc)
    ticket = make_ticket(make_user(level="PRO"), due=due)
    login(make_user(role="staff"))
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert f'data-due="{due.isoformat()}"' in html and due == Ticket.get_by_id(ticket.id).due_at
