"""Only staff and admins reach staff pages (issue 6: 404 for everyone else); the audit log."""
import pytest

from portal.models import AuditLog
from portal.services import audit
from tests.factories import csrf_token
from tests.staff_ops.conftest import make_ticket

GETS = ["/staff/bugs", "/staff/bugs/1", "/staff/audit", "/staff/dashboard", "/staff/tickets/1/ops"]
POSTS = ["/staff/bugs", "/staff/bugs/1", "/staff/tickets/1/bug", "/staff/tickets/1/bug/unlink",
         "/staff/tickets/1/sessions", "/staff/sessions/1/start", "/staff/sessions/1/end",
         "/staff/sessions/1/cancel", "/staff/credentials/1/reveal"]


@pytest.mark.parametrize("who", ["anonymous", "customer", "reseller"])
def test_non_staff_get_404_everywhere(app, client, make_user, login, who):
    if who != "anonymous":
        user = make_user(role=who, level="SITE" if who == "customer" else None)
        login(user)
        make_ticket(user)
    token = csrf_token(client, "/login" if who == "anonymous" else "/account/")
    for url in GETS:
        assert client.get(url).status_code == 404, url
    for url in POSTS:
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url


def test_record_writes_a_row(app, make_user):
    staff = make_user(role="staff")
    audit.record(staff, "ticket.claim", "ticket", 7, "claimed")
    row = AuditLog.get()
    assert (row.actor_id, row.action, row.object_type, row.object_id, row.detail) == (
        staff.id, "ticket.claim", "ticket", "7", "claimed")


def test_audit_page_filters_and_pages(client, make_user, login):
    staff = make_user(role="admin")
    for i in range(55):
        audit.record(staff, "ticket.claim", "ticket", i)
    audit.record(staff, "credential.view", "credential", 3, "ticket 9; session 2")
    login(staff)
    html = client.get("/staff/audit").get_data(as_text=True)
    assert html.count('<tr data-action=') == 50 and 'rel="next"' in html
    assert 'data-action="credential.view"' in html  # newest first
    page2 = client.get("/staff/audit?page=2").get_data(as_text=True)
    assert page2.count('<tr data-action=') == 6
    only = client.get("/staff/audit?action=credential.view").get_data(as_text=True)
    assert only.count('<tr data-action=') == 1 and staff.email in only
    fragment = client.get("/staff/audit?action=credential.view", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    unknown = client.get("/staff/audit?action=nope").get_data(as_text=True)
    assert unknown.count('<tr data-action=') == 50


def test_panels_render_inside_the_staff_ticket_page(client, make_user, login):
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    response = client.get(f"/staff/tickets/{ticket.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ticket-panels"' in html
    assert 'data-panel="bug"' in html and 'data-panel="session"' in html and 'data-panel="credentials"' in html
    assert f'name="next" value="/staff/tickets/{ticket.id}"' in html


def test_claim_through_the_staff_console_is_audited(client, make_user, login):
    """Part A's claim calls audit.record; the entry shows on the audit page."""
    ticket = make_ticket(make_user(level="PRO"))
    agent = make_user(role="staff")
    login(agent)
    response = client.post(f"/staff/tickets/{ticket.id}/claim",
                           data={"csrf_token": csrf_token(client, f"/staff/tickets/{ticket.id}")})
    assert response.status_code in (200, 302)
    entry = AuditLog.get(AuditLog.object_id == str(ticket.id))
    assert "claim" in entry.action and entry.actor_id == agent.id
    assert 'data-action="' + entry.action + '"' in client.get("/staff/audit").get_data(as_text=True)
