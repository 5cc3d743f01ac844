"""Staff and admin journeys in Debian's Chromium, each page checked by axe-core (issue 7 part 1)."""
import pytest

from portal.models import Credential, CredentialView, License, Order, RemoteSession, Ticket, User
from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.journeys.conftest import arrive, mails_to, no_csp_errors, sign_in, visit
from tests.staff import helpers
from tests.staff_ops.conftest import next_weekday

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # each journey starts a live server
SECRET = "Journey-Secret-77"


def _queue(app):
    """A breached SITE ticket with a requested session and credentials on top; lower requests below."""
    from portal.services import credentials, tickets
    with app.app_context():
        site = factories.make_user(level="SITE", display_name="Sam Site")
        pro, free = factories.make_user(level="PRO"), factories.make_user(level="FREE")
        agent = factories.make_user(role="staff", display_name="Agent Ann")
        top = factories.make_ticket(site, subject="All Hosts went offline", opened=helpers.at(days_ago=3),
                                  due=helpers.at(days_ago=2))
        factories.make_ticket(pro, subject="Address book sync is slow", due=helpers.at(minutes=-30))
        factories.make_ticket(free, subject="How do I change the Viewer language?")
        factories.make_thread(free)
        tickets.request_remote(top, site)  # policy 8.1: the customer asked for a session
    with app.test_request_context():
        cred = credentials.store_credentials(top, site, "ID 555-000-777", SECRET, "admin account")
    return site, agent, top, cred


def test_staff_claims_top_replies_schedules_views_credentials_once_and_ends(page, live_server):
    """policy 4.6, 2.1 (queue order), 8.1-8.5 (session and credentials)."""
    site, agent, top, cred = _queue(live_server.app)
    sign_in(page, live_server, agent.email, landing="**/staff/queue")
    first = page.locator("tr[data-request-id]").first
    assert (first.get_attribute("data-request-id"), first.get_attribute("data-level")) == (str(top.id), "SITE")
    assert "queue-row state-row-breached" in first.get_attribute("class")
    first.locator(f"a:has-text('{top.subject}')").click()
    arrive(page, f"**/staff/tickets/{top.id}")

    page.click("#assignment button:has-text('Claim')")
    page.wait_for_selector(f"#assignment [data-assignee='{agent.email}']")
    check_a11y(page)
    page.fill("#f-body", "We are looking at it now; a remote session will be quickest.")
    page.click("main button:has-text('Send reply')")
    page.wait_for_selector("text=Reply sent to the customer.")
    check_a11y(page)
    assert "a remote session will be quickest" in mails_to(live_server, site.email)[-1]["body"]

    panel = page.locator("[data-panel=session]")
    assert panel.locator("tr[data-session-status=requested]").count() == 1
    panel.locator("input[name=starts_on]").fill(next_weekday(7, 1).isoformat())
    panel.locator("input[name=starts_time]").fill("09:30")
    panel.locator("button:has-text('Schedule session')").click()
    page.wait_for_selector("tr[data-session-status=scheduled]")
    check_a11y(page)
    assert "Agent Ann" in page.inner_text("tr[data-session-status=scheduled]")

    page.click(f"#cred-{cred.id} button:has-text('Show credentials')")
    page.wait_for_selector(f"#cred-values-{cred.id} [data-revealed]")
    check_a11y(page)
    assert SECRET in page.inner_text(f"#cred-values-{cred.id}")
    page.reload()  # shown once, for that click: a new page load does not show them again
    check_a11y(page)
    assert SECRET not in page.content()
    assert "Agent Ann" in page.inner_text(f"#cred-{cred.id}")  # the view is listed
    with live_server.app.app_context():
        assert CredentialView.select().where(CredentialView.credential == cred.id).count() == 1

    page.click("tr[data-session-status=scheduled] button:has-text('End session')")
    page.wait_for_selector("tr[data-session-status=ended]")
    check_a11y(page)
    assert page.get_attribute(f"#cred-{cred.id}", "data-live") == "no"
    assert page.locator(f"#cred-{cred.id} button").count() == 0
    with live_server.app.app_context():
        assert Credential.get_by_id(cred.id).ciphertext is None  # policy 8.5: destroyed
        assert RemoteSession.get(RemoteSession.ticket == top.id).status == "ended"
        assert Ticket.get_by_id(top.id).assignee_id == agent.id
    visit(page, live_server, "/staff/queue")
    assert page.locator(f"tr[data-request-id='{top.id}'][data-channel=ticket]").count() == 0  # answered
    no_csp_errors(page)


BOUGHT = factories.today(-30)  # dates relative to the (test) clock: the PRO row never expires first
CSV = ("order_number,delivery_email,license_key,license_type,purchased_on,expires_on\n"
       f"J-1001,buyer@corp.test,RUPRO-J1001-AAAA-0001,PRO,{BOUGHT},{factories.today(335)}\n"
       f"J-1002,other@corp.test,RUSIT-J1002-BBBB-0002,GOLD,{BOUGHT},\n"
       f"J-1003,third@corp.test,RUSTA-J1003-CCCC-0003,STARTER,{BOUGHT},\n")


def test_admin_imports_orders_with_a_bad_row_reported_by_line(page, live_server):
    """policy 4.5: imported orders attach to the verified account of their delivery email."""
    with live_server.app.app_context():
        admin = factories.make_user(role="admin")
        buyer = factories.make_user(email="buyer@corp.test", level="FREE")
    sign_in(page, live_server, admin.email)
    page.click("nav a:has-text('Orders')")
    arrive(page, "**/admin/orders")
    page.set_input_files("#f-file", files=[{"name": "orders.csv", "mimeType": "text/csv",
                                             "buffer": CSV.encode()}])
    page.click("main button:has-text('Import')")
    result = page.locator("[data-import-result]")
    result.wait_for()
    check_a11y(page)
    assert "Added 2 licenses; 0 already known; 1 bad row." in result.inner_text()
    errors = page.locator(".import-errors li")
    assert errors.count() == 1 and errors.first.inner_text().startswith("Line 3: license_type must be one of")
    assert "buyer@corp.test" in result.inner_text()  # attached to the verified account
    recent = page.inner_text("section[aria-labelledby=recent-h]")
    assert "J-1001" in recent and "J-1003" in recent and "J-1002" not in recent
    with live_server.app.app_context():
        assert sorted(o.number for o in Order.select()) == ["J-1001", "J-1003"]
        assert License.get(License.key == "RUPRO-J1001-AAAA-0001").user_id == buyer.id
        assert User.get_by_id(buyer.id).level == "PRO"

    page.set_input_files("#f-file", files=[{"name": "orders.csv", "mimeType": "text/csv",
                                             "buffer": CSV.encode()}])
    page.click("main button:has-text('Import')")  # the same file again: nothing is added twice
    page.wait_for_selector("[data-import-result]:has-text('Added 0 licenses; 2 already known')")
    check_a11y(page)
    with live_server.app.app_context():
        assert License.select().count() == 2
    no_csp_errors(page)
