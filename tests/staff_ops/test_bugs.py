"""Bugs (policy 5.2, 5.3): record, link from the staff ticket page, replies on ETA change and fix."""
import datetime

from portal.models import AuditLog, Bug, Message, Ticket
from portal.policy import date_text
from tests.staff_ops.conftest import make_ticket, post

ETA = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
LATER = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()


def new_bug(**overrides):
    fields = dict(title="Viewer freezes on monitor switch", status="open", workaround="Use one monitor.")
    fields.update(overrides)
    return Bug.create(**fields)


def bug_form(bug, **changes):
    form = {"title": bug.title, "status": bug.status, "eta": bug.eta.isoformat() if bug.eta else "",
            "workaround": bug.workaround, "fixed_in": bug.fixed_in}
    form.update(changes)
    return form


def test_create_requires_workaround_and_fix_version(client, make_user, login):  # policy 5.3
    login(make_user(role="staff"))
    response = post(client, "/staff/bugs", {"title": "Crash on start", "status": "open", "workaround": ""})
    assert response.status_code == 400 and "policy 5.3" in response.get_data(as_text=True)
    response = post(client, "/staff/bugs", {"title": "Crash on start", "status": "fixed", "workaround": "x"})
    assert response.status_code == 400 and "Name the version" in response.get_data(as_text=True)
    response = post(client, "/staff/bugs", {"title": "Crash", "workaround": "x", "fixed_in": "8.1", "status": "fixed"})
    assert response.status_code == 400 and "policy 7.1" in response.get_data(as_text=True)
    assert Bug.select().count() == 0
    response = post(client, "/staff/bugs", {"title": "Crash on start", "status": "open", "eta": ETA,
                                            "workaround": "Start it as administrator."})
    assert response.status_code == 302
    bug = Bug.get()
    assert bug.eta.isoformat() == ETA and AuditLog.get().action == "bug.create"


def test_list_counts_linked_tickets(client, make_user, login):
    login(make_user(role="staff"))
    bug = new_bug()
    customer = make_user(level="PRO")
    make_ticket(customer, bug=bug), make_ticket(customer, bug=bug)
    new_bug(title="Another", status="fixed", fixed_in="8.1.0.3")
    html = client.get("/staff/bugs").get_data(as_text=True)
    assert f'data-bug-id="{bug.id}"' in html and "<td>2</td>" in html
    fixed_only = client.get("/staff/bugs?status=fixed").get_data(as_text=True)
    assert "Another" in fixed_only and "Viewer freezes" not in fixed_only


def test_link_ticket_to_new_bug_then_customer_sees_eta_and_workaround(app, client, make_user, login):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    login(make_user(role="staff"))
    response = post(client, f"/staff/tickets/{ticket.id}/bug",
                    {"bug_id": "new", "title": "Viewer freezes", "eta": "", "workaround": ""})
    assert response.status_code == 400 and "policy 5.3" in response.get_data(as_text=True)
    assert Bug.select().count() == 0
    response = post(client, f"/staff/tickets/{ticket.id}/bug",
                    {"bug_id": "new", "title": "Viewer freezes", "eta": ETA, "workaround": "Disable DPI scaling.",
                     "next": f"/staff/tickets/{ticket.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/staff/tickets/{ticket.id}"
    bug = Bug.get()
    assert Ticket.get_by_id(ticket.id).bug_id == bug.id
    assert [a.action for a in AuditLog.select().order_by(AuditLog.id)] == ["bug.create", "bug.link"]
    page = login(customer, app.test_client()).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert date_text(datetime.date.fromisoformat(ETA)) in page and "Disable DPI scaling." in page


def test_link_existing_bug_and_unlink_with_htmx(client, make_user, login):
    bug = new_bug()
    ticket = make_ticket(make_user(level="PLUS"))
    login(make_user(role="staff"))
    response = post(client, f"/staff/tickets/{ticket.id}/bug", {"bug_id": str(bug.id)},
                    headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'data-bug-id="{bug.id}"' in html and "<html" not in html
    assert Ticket.get_by_id(ticket.id).bug_id == bug.id
    assert post(client, f"/staff/tickets/{ticket.id}/bug", {"bug_id": "999"}).status_code == 400
    assert post(client, f"/staff/tickets/{ticket.id}/bug/unlink").status_code == 302
    assert Ticket.get_by_id(ticket.id).bug_id is None
    assert AuditLog.select().where(AuditLog.action == "bug.unlink").count() == 1


def test_eta_change_replies_on_every_linked_ticket_and_mails(client, make_user, login, outbox):  # policy 5.2
    bug = new_bug(eta=datetime.date.fromisoformat(ETA))
    first, second, bystander = make_user(level="PRO"), make_user(role="reseller"), make_user(level="SITE")
    linked = [make_ticket(first, bug=bug), make_ticket(second, bug=bug)]
    other = make_ticket(bystander)
    login(make_user(role="staff"))
    response = post(client, f"/staff/bugs/{bug.id}", bug_form(bug, eta=LATER))
    assert response.status_code == 302
    for ticket in linked:
        replies = list(Message.select().where(Message.ticket == ticket))
        later = date_text(datetime.date.fromisoformat(LATER))  # written as pages write dates
        assert len(replies) == 1 and f"expected by {later}" in replies[0].body and bug.workaround in replies[0].body
    assert Message.select().where(Message.ticket == other).count() == 0
    assert sorted(m["to"] for m in outbox) == sorted([first.email, second.email])
    assert all(date_text(datetime.date.fromisoformat(LATER)) in m["body"] for m in outbox)
    # saving again without a change sends nothing
    assert post(client, f"/staff/bugs/{bug.id}", bug_form(Bug.get_by_id(bug.id))).status_code == 302
    assert len(outbox) == 2 and Message.select().count() == 2


def test_fix_shipping_replies_on_every_linked_ticket(client, make_user, login, outbox):  # policy 5.2, 7.2
    bug = new_bug(eta=datetime.date.fromisoformat(ETA))
    customers = [make_user(level="STARTER") for _ in range(3)]
    tickets = [make_ticket(c, bug=bug) for c in customers]
    login(make_user(role="staff"))
    response = post(client, f"/staff/bugs/{bug.id}", bug_form(bug, status="fixed", fixed_in="8.1.0.3"))
    assert response.status_code == 302
    assert Bug.get_by_id(bug.id).status == "fixed"
    for ticket in tickets:
        (reply,) = Message.select().where(Message.ticket == ticket)
        assert "fixed in version 8.1.0.3" in reply.body
    assert sorted(m["to"] for m in outbox) == sorted(c.email for c in customers)
    entry = AuditLog.get(AuditLog.action == "bug.update")
    assert "fixed_in 8.1.0.3" in entry.detail


def test_bug_detail_404_for_unknown(client, make_user, login):
    login(make_user(role="staff"))
    assert client.get("/staff/bugs/424242").status_code == 404


def test_bug_list_htmx_fragment(client, make_user, login):
    login(make_user(role="staff"))
    new_bug()
    response = client.get("/staff/bugs?status=open", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="bug-list"' in html and "<html" not in html
