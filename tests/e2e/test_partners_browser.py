"""In Debian's Chromium at a phone's width (390 px): a manager invites a colleague, who sets a
password from the mailed link and lands in the Partner Area; the admin's partner list fits too
(policy 3.1 Decision)."""
import re

import pytest

from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import browser_page, log_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def fits(page):
    """Nothing is wider than the screen (no sideways scrolling, nothing cut off), and the page
    passes the accessibility check."""
    check_a11y(page)
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def phone(browser, request):
    with browser_page(browser, request, viewport=PHONE) as page:
        yield page


def test_a_manager_invites_a_colleague_who_joins_from_the_mail(phone, live_server):
    with live_server.app.app_context():
        partner, (manager,) = factories.make_partner("Northwind Browser Test With A Long Company Name", "P-E2E")
    log_in(phone, live_server, manager.email, factories.PASSWORD)
    phone.click("text=Members and invitations")
    phone.wait_for_selector("h1:has-text('Members of')")
    phone.fill("#f-email", "colleague.with.a.rather.long.address@northwind-browser.example")
    phone.select_option("#f-role", "member")
    phone.click("button:has-text('Send the invitation')")
    phone.wait_for_selector("text=Invitation sent to")
    assert phone.locator("[data-invite]").count() == 1
    assert fits(phone)
    mail = live_server.smtp.messages[-1]
    link = re.search(r"(http://127\.0\.0\.1:\d+/partner/invite/\S+)", mail["body"]).group(1)

    phone.click("button:has-text('Log out')")
    phone.goto(link)
    phone.wait_for_selector("h1:has-text('Join Northwind Browser Test')")
    assert fits(phone)
    phone.fill("#f-name", "Colleague")
    phone.fill("#f-password", "a long new password")
    phone.fill("#f-confirm", "a long new password")
    phone.click("button:has-text('Set the password')")
    phone.wait_for_selector("h1:has-text('Partner Area')")
    assert "/partner/" in phone.url and fits(phone)
    assert phone.locator("text=Members and invitations").count() == 0  # a member manages nothing


def test_the_admin_partner_list_fits_a_phone(phone, live_server):
    with live_server.app.app_context():
        admin = factories.make_user(role="admin")
        factories.make_partner("Contoso Partners International Holding", "P-E2E-LONG-NUMBER-1", managers=2)
    log_in(phone, live_server, admin.email, factories.PASSWORD)
    phone.goto(live_server.url + "/admin/partners")
    phone.wait_for_selector("[data-partner]")
    assert fits(phone)
