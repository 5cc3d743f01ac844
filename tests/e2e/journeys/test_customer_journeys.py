"""Customer journeys in Debian's Chromium, each page checked by axe-core (issue 7 part 1)."""
import pytest

from portal.models import License, Message, Ticket, User
from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.journeys.conftest import arrive, link_in, mails_to, no_csp_errors, sign_in, visit

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # each journey starts a live server
RELEASES = ("7.5.1.0", "7.6.2.0", "8.0.1.2", "8.1.0.3")


def test_register_verify_and_license_recognised_by_delivery_email(page, live_server):
    """policy 4.4, 4.5: the order's license attaches once the delivery email is verified."""
    email = "new.buyer@example.test"
    with live_server.app.app_context():
        _, lic = factories.make_order(email, "PRO")
    visit(page, live_server, "/register")
    page.fill("#f-email", email)
    page.fill("#f-name", "Nadia Buyer")
    page.fill("#f-password", "a long enough password")
    page.fill("#f-confirm", "a long enough password")
    page.click("main button:has-text('Register')")
    page.wait_for_selector("h1:has-text('Check your email')")
    check_a11y(page)
    with live_server.app.app_context():  # policy 4.5 Decision: not before the address is verified
        assert License.get_by_id(lic.id).user_id is None

    [mail] = mails_to(live_server, email)
    link = link_in(mail, r"/verify/\S+")
    page.goto(link)
    check_a11y(page)
    assert email in page.inner_text("main")
    page.fill("#f-password", "a long enough password")  # only the registrant can confirm
    page.click("main button:has-text('Confirm my email')")
    page.wait_for_selector("text=Your email is confirmed.")
    check_a11y(page)

    page.fill("#f-email", email)
    page.fill("#f-password", "a long enough password")
    page.click("main button:has-text('Log in')")
    arrive(page, "**/tickets/")
    visit(page, live_server, "/account/")
    assert page.locator("[data-level]").inner_text() == "PRO"
    assert f"PRO through license ...-{lic.key[-4:]}" in page.inner_text(".reason")
    assert f"…-{lic.key[-4:]}" in page.inner_text("section[aria-labelledby=lic-h] table")
    assert "First-response target: 3 business hours" in page.inner_text("main")  # policy 2.1: PRO target
    no_csp_errors(page)


def test_license_key_raises_the_level_and_a_wrong_key_is_explained(page, live_server):
    """policy 4.5: the key is entered once on the account page; a wrong one changes nothing."""
    from portal.services import tickets
    with live_server.app.app_context():
        user = factories.make_user(level="FREE")
        _, lic = factories.make_order("purchasing@corp.test", "PRO")
        ticket = tickets.create_ticket(user, "Remote Utilities", "", "Host asks for a license",
                                       "The Host says my license is missing after the update.", accept_policy=True)
    sign_in(page, live_server, user.email, landing="**/tickets/")
    assert page.inner_text(f"tr[data-ticket='{ticket.id}'] .level") == "FREE"
    visit(page, live_server, "/account/")
    assert page.locator("[data-level]").inner_text() == "FREE"

    page.fill("#f-key", "RUPRO-00000-NOPE-0000")
    page.click("main button:has-text('Add license')")
    page.wait_for_selector("#e-key")
    check_a11y(page)
    assert "key" in page.inner_text("#e-key").lower()  # explained next to the field (wording: security part)
    assert page.get_attribute("#f-key", "aria-invalid") == "true"
    assert page.input_value("#f-key") == "RUPRO-00000-NOPE-0000"  # kept for correction
    assert page.locator("[data-level]").inner_text() == "FREE"

    page.fill("#f-key", f"  {lic.key.lower()} ")  # pasted from the order mail
    page.click("main button:has-text('Add license')")
    page.wait_for_selector("text=License added. Your support level is now PRO.")
    check_a11y(page)
    assert page.locator("[data-level]").inner_text() == "PRO"
    assert page.locator("#e-key").count() == 0
    with live_server.app.app_context():
        assert User.get_by_id(user.id).level == "PRO"
        assert License.get_by_id(lic.id).user_id == user.id
        regraded = Ticket.get_by_id(ticket.id)
    assert (regraded.level, regraded.rank_band) != (ticket.level, ticket.rank_band)
    assert regraded.level == "PRO" and regraded.due_at <= ticket.due_at  # policy 2.2: never later
    page.click("nav a:has-text('My tickets')")
    arrive(page, "**/tickets/")
    assert page.inner_text(f"tr[data-ticket='{ticket.id}'] .level") == "PRO"  # open requests re-prioritised
    no_csp_errors(page)


def test_stale_version_verdict_while_typing_and_on_the_ticket(page, live_server):
    """policy 7.2: only the latest major is supported; the verdict shows while typing and after filing."""
    from portal.services.orders import add_release
    with live_server.app.app_context():
        for version in RELEASES:
            add_release("Remote Utilities", version)
        user = factories.make_user(level="PLUS")
    sign_in(page, live_server, user.email, landing="**/tickets/")
    page.click("main a:has-text('File a new ticket')")
    arrive(page, "**/tickets/new")
    page.select_option("#f-product", "Remote Utilities")
    page.fill("#f-version", "7.6.2.0")
    verdict = page.locator("#checks [data-verdict='unsupported']")
    verdict.wait_for()
    assert "7.x is no longer supported, update to 8.1.0.3" in verdict.inner_text()
    check_a11y(page)
    page.fill("#f-subject", "Viewer loses the connection every hour")
    page.fill("#f-body", "The Viewer drops the connection to every Host after about an hour of use.")
    page.check("#f-accept_policy")
    page.click("main button:has-text('File ticket')")
    arrive(page, "**/tickets/*")
    notice = page.locator("main [data-verdict='unsupported']")
    assert "7.x is no longer supported, update to 8.1.0.3" in notice.inner_text()
    with live_server.app.app_context():
        ticket = Ticket.get()
        assert (ticket.version, ticket.version_status, ticket.level) == ("7.6.2.0", "unsupported", "PLUS")
    assert page.url.endswith(f"/tickets/{ticket.id}")
    no_csp_errors(page)


def test_customer_follows_a_staff_reply(page, second_page, live_server):
    """A staff reply (from the staff console, another browser) reaches the customer's page and mailbox."""
    from portal.services import tickets
    with live_server.app.app_context():
        customer = factories.make_user(level="STARTER", display_name="Casey")
        agent = factories.make_user(role="staff", display_name="Ann")
        ticket = tickets.create_ticket(customer, "Remote Utilities Server", "", "Relay refuses new Hosts",
                                       "After adding 50 Hosts the relay refuses new ones.", accept_policy=True)
    sign_in(page, live_server, customer.email, landing="**/tickets/")
    page.click(f"main a:has-text('{ticket.subject}')")
    arrive(page, f"**/tickets/{ticket.id}")
    assert page.locator("#messages li").count() == 1

    staff = second_page  # the agent works in their own browser
    sign_in(staff, live_server, agent.email, landing="**/staff/queue")
    staff.click(f"main a:has-text('{ticket.subject}')")
    arrive(staff, f"**/staff/tickets/{ticket.id}")
    staff.fill("#f-body", "Raise the relay's Host limit under Settings → Relay, then restart it.")
    staff.click("main button:has-text('Send reply')")
    staff.wait_for_selector("text=Reply sent to the customer.")
    check_a11y(staff)
    no_csp_errors(staff)

    page.reload()
    check_a11y(page)
    reply = page.locator("#messages li", has_text="Raise the relay's Host limit")
    assert "Ann (support)" in reply.inner_text()
    assert page.locator("[data-status]").inner_text() == "waiting"
    assert page.inner_text("[data-clock]") == "First response given within the target."
    received, mail = mails_to(live_server, customer.email)  # "we received" (issue 14), then the reply
    assert received["subject"] == f"[Ticket #{ticket.id}] We received your ticket: Relay refuses new Hosts"
    assert mail["subject"] == f"[Ticket #{ticket.id}] Relay refuses new Hosts"
    assert "Raise the relay's Host limit" in mail["body"]
    page.goto(link_in(mail, rf"/tickets/{ticket.id}"))  # the mailed link leads back to the ticket
    check_a11y(page)
    assert page.locator("#messages li", has_text="Raise the relay's Host limit").count() == 1
    with live_server.app.app_context():
        assert Message.select().where(Message.ticket == ticket.id).count() == 2
    no_csp_errors(page)
