"""In Debian's Chromium at a phone's width (390 px): a manager invites a colleague, who sets a
password from the mailed link and lands in the Partner Area; the partner's home and licenses, with
and without JavaScript; the admin's partner list fits too (policy 3.1 Decision)."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from portal.models import Order, RemoteSession, Ticket
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


def _partner_with_work(app):
    """A partner with a manager and a member, licenses it sold (one expiring soon), tickets about
    them in every state of the home page, and a scheduled session: (manager, member)."""
    with app.app_context():
        partner, (manager, member) = factories.make_partner("Northwind Browser Test With A Long Company Name",
                                                            "P-E2E-HOME", managers=1, members=1)
        agent = factories.make_user(role="staff", display_name="Agent With A Rather Long Name")
        now, licenses = factories.utcnow(), []
        for n, (tier, days) in enumerate((("SITE", 300), ("PRO", 12), ("PLUS", -20))):
            order, lic = factories.make_order(f"it-department.{n}@a-long-end-customer-domain.example", tier,
                                              key=f"RU{tier[:3]}-NW7K2-FAB0{n}-9ZT{n}", expires_on=factories.today(days))
            Order.update(partner=partner).where(Order.id == order.id).execute()
            licenses.append(lic)
        subjects = ("Relay server drops every session after a failover to the second server",
                    "Hosts report the license as expired after the renewal", "Address book is empty")
        for n, (lic, subject) in enumerate(zip(licenses, subjects)):
            ticket = factories.make_ticket(member if n else manager, subject=subject, partner=partner, license=lic,
                                           end_customer_company="Fabrikam Engineering International")
            if n == 1:
                Ticket.update(status="waiting", awaiting_staff=False).where(Ticket.id == ticket.id).execute()
            if n == 2:
                Ticket.update(due_at=now - datetime.timedelta(hours=3)).where(Ticket.id == ticket.id).execute()
        RemoteSession.create(ticket=ticket, requested_by=member, agent=agent, status="scheduled",
                             starts_at=now + datetime.timedelta(days=2))
    return manager, member


def test_the_partner_home_and_licenses_fit_a_phone(phone, live_server):
    manager, member = _partner_with_work(live_server.app)
    log_in(phone, live_server, member.email, factories.PASSWORD)
    phone.wait_for_selector("[data-partner-home]")
    for group, count in (("support", 1), ("you", 1), ("at_risk", 1)):
        assert phone.locator(f"[data-group='{group}']").get_attribute("data-count") == str(count)
    assert phone.locator("[data-home-sessions] [data-session]").count() == 1
    assert phone.locator("[data-home-expiring] [data-license]").count() == 1
    assert fits(phone)

    phone.click("a.button:has-text('Licenses')")
    phone.wait_for_selector("[data-licenses]")
    assert phone.locator("tr[data-license]").count() == 3 and "NW7K2" not in phone.inner_text("main")
    assert fits(phone)
    phone.fill("#f-q", "9ZT1")  # htmx active search: the results change without a page load
    expect(phone.locator("tr[data-license]")).to_have_count(1)
    assert phone.locator("tr[data-license]").get_attribute("data-state") == "expiring"
    assert "q=9ZT1" in phone.url and fits(phone)
    phone.click("a:has-text('File a ticket for this license')")
    phone.wait_for_url("**/tickets/new?license=*")


def test_the_license_search_works_without_javascript(browser, request, live_server):
    manager, _ = _partner_with_work(live_server.app)
    with browser_page(browser, request, viewport=PHONE, java_script_enabled=False) as page:
        log_in(page, live_server, manager.email, factories.PASSWORD)
        page.goto(live_server.url + "/partner/licenses")
        page.fill("#f-q", "fab02")
        page.click("button:has-text('Search')")
        page.wait_for_url("**/partner/licenses?q=fab02")
        assert page.locator("tr[data-license]").count() == 1
        assert page.locator("tr[data-license]").get_attribute("data-state") == "expired"  # (no script runs,
        # so the width is measured by the test above)
