"""In Debian's Chromium: an agent schedules a remote session, views credentials once, ends it (policy 8.1-8.5)."""

import pytest

from portal.models import Credential, CredentialView, RemoteSession
from tests import factories
from tests.e2e.conftest import log_in
from tests.staff_ops.conftest import make_ticket, next_weekday

pytestmark = pytest.mark.e2e


def _data(app):
    with app.app_context():
        customer = factories.make_user(level="PRO", display_name="Pat")
        agent = factories.make_user(role="staff", display_name="Agent Smith")
        ticket = make_ticket(customer, subject="Host drops the connection")
    with app.test_request_context():
        from portal.services import credentials
        cred = credentials.store_credentials(ticket, customer, "ID 555-111-999", "browser-Secret-1", "")
    return customer, agent, ticket, cred


def test_agent_schedules_views_once_and_ends_session(page, browser, live_server):
    customer, agent, ticket, cred = _data(live_server.app)
    day = next_weekday(7, 2)
    log_in(page, live_server, agent.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/staff/tickets/{ticket.id}")
    panel = page.locator("[data-panel=session]")
    panel.locator("input[name=starts_on]").fill(day.isoformat())
    panel.locator("input[name=starts_time]").fill("10:00")
    panel.locator("button:has-text('Schedule session')").click()
    page.wait_for_selector("tr[data-session-status=scheduled]")
    assert "Agent Smith" in page.locator("tr[data-session-status=scheduled]").inner_text()

    page.click(f"#cred-{cred.id} button:has-text('Show credentials')")
    page.wait_for_selector(f"#cred-values-{cred.id} [data-revealed]")
    assert "browser-Secret-1" in page.locator(f"#cred-values-{cred.id}").inner_text()
    with live_server.app.app_context():
        assert CredentialView.select().where(CredentialView.credential == cred.id).count() == 1

    customer_context = browser.new_context(accept_downloads=True)
    customer_page = customer_context.new_page()
    log_in(customer_page, live_server, customer.email, factories.PASSWORD)
    customer_page.goto(f"{live_server.url}/tickets/{ticket.id}")
    extra = customer_page.locator(".session-extra")
    assert "10:00 PT" in extra.inner_text() and "Agent Smith" in extra.inner_text()
    assert "browser-Secret-1" not in customer_page.content()
    with customer_page.expect_download() as download:
        customer_page.click("a:has-text('Add to my calendar')")
    body = open(download.value.path(), "rb").read().decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "DTSTART:" in body
    customer_context.close()

    page.click("tr[data-session-status=scheduled] button:has-text('End session')")
    page.wait_for_selector("tr[data-session-status=ended]")
    assert page.locator(f"#cred-{cred.id}").get_attribute("data-live") == "no"
    assert "Destroyed" in page.locator(f"#cred-{cred.id}").inner_text()
    assert page.locator(f"#cred-{cred.id} button").count() == 0
    with live_server.app.app_context():
        assert Credential.get_by_id(cred.id).ciphertext is None
        assert RemoteSession.get(RemoteSession.ticket == ticket.id).status == "ended"
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors
