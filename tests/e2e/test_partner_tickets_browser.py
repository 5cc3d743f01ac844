"""In Debian's Chromium at a phone's width (390 px): a partner member files a ticket for an end
customer's SITE license and sees the SITE level and why; a member of another partner gets 404 on
that ticket and finds none of it in the CSV; a manager removes a member, whose open page stops
working; another partner gets 404 on the partner's license (policy 3.1 Decision, 3.4, 2.1)."""
import re

import pytest
from playwright.sync_api import expect

from portal.models import Order
from portal.services.partner_tickets import masked
from tests import factories
from tests.e2e.conftest import browser_page, log_in
from tests.e2e.test_partners_browser import fits, phone  # noqa: F401  (the same fixture)

pytestmark = pytest.mark.e2e
TICKET_URL = re.compile(r"/tickets/\d+$")


def test_a_member_files_for_a_site_license_and_another_partner_gets_404(phone, live_server):  # noqa: F811
    with live_server.app.app_context():
        northwind, (member,) = factories.make_partner("Northwind IT Browser", "P-E2E-NW", managers=0, members=1)
        _, (contoso,) = factories.make_partner("Contoso Partners Browser", "P-E2E-CO")
        order, lic = factories.make_order("it@acme-site.example", "SITE")
        Order.update(partner=northwind).where(Order.id == order.id).execute()
    log_in(phone, live_server, member.email, factories.PASSWORD)
    phone.goto(f"{live_server.url}/tickets/new?license={lic.id}")  # the licenses page's link
    assert phone.locator("#f-license").input_value() == str(lic.id)
    phone.select_option("#f-product", "Remote Utilities")
    phone.fill("#f-subject", "Host on the customer's server stops answering")
    phone.fill("#f-body", "Since the update the Host on the end customer's server does not answer.")
    if phone.locator("#f-accept_policy").count():
        phone.check("#f-accept_policy")
    phone.click("button:has-text('File ticket')")
    phone.wait_for_url(TICKET_URL)
    assert phone.locator("[data-level='SITE']").count() == 1
    why = phone.inner_text("[data-level-reason]")
    assert f"SITE: the end customer's license {masked(lic.key)} is current" in why
    assert "it@acme-site.example" in phone.inner_text("[data-end-customer]")
    assert fits(phone)
    ticket_url = phone.url

    phone.goto(live_server.url + "/partner/?q=stops+answering")
    phone.wait_for_selector("[data-ticket]")
    assert fits(phone)

    phone.click("button:has-text('Log out')")
    log_in(phone, live_server, contoso.email, factories.PASSWORD)
    assert phone.goto(ticket_url).status == 404
    csv = phone.request.get(live_server.url + "/partner/tickets.csv")
    assert csv.status == 200 and "stops answering" not in csv.text()
    with live_server.app.app_context():
        customer = factories.make_user(level="PRO")
    phone.click("button:has-text('Log out')")
    log_in(phone, live_server, customer.email, factories.PASSWORD)
    assert phone.request.get(live_server.url + "/partner/tickets.csv").status == 404


def test_a_removed_member_loses_the_open_page_and_another_partner_gets_404_on_licenses(  # noqa: F811
        browser, request, phone, live_server):
    with live_server.app.app_context():
        northwind, (manager, member) = factories.make_partner("Northwind IT Removal", "P-E2E-RM", members=1)
        _, (contoso,) = factories.make_partner("Contoso Partners Removal", "P-E2E-RC")
        ticket = factories.make_ticket(manager, subject="Relay server drops sessions", partner=northwind)
        order, lic = factories.make_order("it@fabrikam-removal.example", "SITE")
        Order.update(partner=northwind).where(Order.id == order.id).execute()
    ticket_url = f"{live_server.url}/tickets/{ticket.id}"
    with browser_page(browser, request, "-member", viewport={"width": 390, "height": 844}) as other:
        log_in(other, live_server, member.email, factories.PASSWORD)
        assert other.goto(ticket_url).status == 200  # visibility "all": a colleague's ticket
        assert "Relay server drops sessions" in other.inner_text("h1")

        log_in(phone, live_server, manager.email, factories.PASSWORD)
        phone.goto(live_server.url + "/partner/members")
        phone.click(f"[data-member='{member.email}'] button:has-text('Remove')")
        phone.wait_for_selector(f"[data-member='{member.email}']", state="detached")

        other.reload()  # every session of the removed member ended at once
        assert "/login" in other.url and "Relay server drops sessions" not in other.content()

    phone.click("button:has-text('Log out')")
    log_in(phone, live_server, contoso.email, factories.PASSWORD)
    assert phone.goto(f"{live_server.url}/partner/licenses/{lic.id}").status == 404
    phone.goto(live_server.url + "/partner/licenses")
    assert lic.key[-4:] not in phone.inner_text("main")


def test_typing_in_find_a_license_narrows_the_choice(phone, live_server):  # noqa: F811
    with live_server.app.app_context():
        northwind, (member,) = factories.make_partner("Northwind IT Finder", "P-E2E-FD", managers=0, members=1)
        for email in ("it@fabrikam-finder.example", "office@wingtip-finder.example"):
            order, _ = factories.make_order(email, "SITE")
            Order.update(partner=northwind).where(Order.id == order.id).execute()
    log_in(phone, live_server, member.email, factories.PASSWORD)
    phone.goto(f"{live_server.url}/tickets/new")
    assert phone.locator("#f-license option").count() == 3  # "none" and the two licenses
    phone.fill("#f-license_q", "wingtip")
    expect(phone.locator("#f-license option")).to_have_count(2)
    assert "office@wingtip-finder.example" in phone.inner_text("#f-license")
    assert fits(phone)
