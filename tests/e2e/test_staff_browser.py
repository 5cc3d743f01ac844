"""In Debian's Chromium: an agent claims the top ticket of the queue and replies; the customer sees it (issue 6)."""
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _data(live_server):
    with live_server.app.app_context():
        customer = factories.make_user(level="SITE")
        free = factories.make_user(level="FREE")
        agent = factories.make_user(role="staff", display_name="Ann")
        top = factories.make_ticket(customer, subject="Hosts drop off the address book")
        factories.make_ticket(free, subject="A lower-ranked question")
        factories.make_thread(free)
        return customer, agent, top


def _accessible(page):
    """No serious or critical axe-core violations on the page."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def test_agent_claims_top_ticket_replies_and_customer_sees_it(page, browser, live_server):
    customer, agent, top = _data(live_server)
    log_in(page, live_server, agent.email, factories.PASSWORD)
    page.goto(live_server.url + "/staff/queue")
    first = page.locator("tr[data-request-id]").first
    assert first.get_attribute("data-channel") == "ticket" and first.get_attribute("data-level") == "SITE"
    assert first.get_attribute("data-request-id") == str(top.id)
    assert page.locator("tr[data-channel=forum]").count() == 1  # threads rank after tickets (policy 4.6)
    first.locator("summary:has-text('Why is this here?')").click()
    expect(first.locator("details.why")).to_contain_text("Ticket · SITE · due")  # loaded when opened (htmx)
    _accessible(page)
    first.locator(f"a:has-text('{top.subject}')").click()
    _accessible(page)

    page.click("#assignment button:has-text('Claim')")  # htmx swaps the component in place
    page.wait_for_selector(f"#assignment [data-assignee='{agent.email}']")
    page.select_option("#f-canned", "scope-6.1")  # htmx fills the reply from the canned text
    expect(page.locator("#f-body")).to_have_value(re.compile("network or system administration"))
    page.fill("#f-body", "Please restart the Host service and tell us whether the hosts come back.")
    page.click("button:has-text('Send reply')")
    page.wait_for_selector("text=Reply sent to the customer.")
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors

    mails = [m for m in live_server.smtp.messages if customer.email in m["to"]]
    assert mails and "restart the Host service" in mails[-1]["body"]
    context = browser.new_context()
    mine = context.new_page()
    try:
        log_in(mine, live_server, customer.email, factories.PASSWORD)
        mine.goto(f"{live_server.url}/tickets/{top.id}")
        mine.wait_for_selector("text=Please restart the Host service")
    finally:
        context.close()
    page.goto(live_server.url + "/staff/queue?assignee=me")
    assert page.locator("tr[data-request-id]").count() == 0  # answered: no longer waiting for staff


def test_losing_a_claim_race_shows_who_has_the_ticket(page, live_server):
    customer, agent, top = _data(live_server)
    with live_server.app.app_context():
        other = factories.make_user(role="staff", display_name="Bob")
    log_in(page, live_server, agent.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/staff/tickets/{top.id}")
    from portal.models import Ticket
    Ticket.update(assignee=other.id).where(Ticket.id == top.id).execute()  # Bob was quicker
    page.click("#assignment button:has-text('Claim')")
    page.wait_for_selector("#assignment .error:has-text('Bob has already claimed this ticket')")
    assert page.locator(f"#assignment [data-assignee='{other.email}']").count() == 1
