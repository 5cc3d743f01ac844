"""In Debian's Chromium: file, follow, reply and close tickets; Partner Area; remote support (issue 4)."""
import re

import pytest

from portal.models import Credential, Ticket
from portal.services.orders import add_release
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
TICKET_URL = re.compile(r"/tickets/\d+(#.*)?$")
RELEASES = ["7.5.1.0", "7.6.2.0", "8.0.1.2", "8.1.0.3"]


def _setup(server, **kwargs):
    with server.app.app_context():
        for version in RELEASES:
            add_release("Remote Utilities", version)
        return factories.make_user(**kwargs)


def _file_ticket(page, server, version="8.1.0.3", subject="Viewer cannot connect to the Host"):
    page.goto(server.url + "/tickets/new")
    page.select_option("#f-product", "Remote Utilities")
    page.fill("#f-version", version)
    page.fill("#f-subject", subject)
    page.fill("#f-body", "Since the update the Viewer does not connect to the Host on our LAN.")
    if page.locator("#f-accept_policy").count():
        page.check("#f-accept_policy")
    page.click("button:has-text('File ticket')")
    page.wait_for_url(TICKET_URL)


def test_pro_customer_files_with_a_stale_version_replies_and_closes(page, live_server):
    user = _setup(live_server, level="PRO")
    log_in(page, live_server, user.email, factories.PASSWORD)
    checks = []
    page.on("request", lambda r: checks.append(r) if "/tickets/new/check" in r.url else None)
    page.goto(live_server.url + "/tickets/new")
    page.fill("#f-version", "7.6.2.0")
    # policy 7.2: the verdict arrives by htmx while typing
    verdict = page.locator("#checks [data-verdict='unsupported']")
    verdict.wait_for()
    assert "7.x is no longer supported, update to 8.1.0.3" in verdict.inner_text()
    page.fill("#f-version", "8.0.1.2")
    page.locator("#checks [data-verdict='update_recommended']").wait_for()
    page.fill("#f-version", "7.6.2.0")
    page.locator("#checks [data-verdict='unsupported']").wait_for()
    page.fill("#f-subject", "Viewer cannot connect to the Host")
    page.fill("#f-body", "Since the update the Viewer does not connect to the Host on our LAN.")
    # the draft goes in a POST body (not the URL, so not in access logs), with only the checked fields
    assert checks and all(r.method == "POST" and "?" not in r.url for r in checks)
    assert all("submit_token" not in (r.post_data or "") for r in checks)
    page.check("#f-accept_policy")
    page.click("button:has-text('File ticket')")
    page.wait_for_url(TICKET_URL)
    assert "7.x is no longer supported" in page.inner_text("main")
    assert "of business time" in page.inner_text("#ticket-status")
    # reply by htmx: the page is not reloaded (a marker set on window survives)
    page.evaluate("window.__noReload = 'still here'")
    page.fill("#f-reply", "It also fails with the firewall off.")
    page.click("button:has-text('Send reply')")
    page.locator("#messages li", has_text="It also fails with the firewall off.").wait_for()
    assert page.evaluate("window.__noReload") == "still here"
    assert page.input_value("#f-reply") == ""
    assert page.locator("#messages li").count() == 2
    page.click("button:has-text('Close ticket')")
    page.wait_for_selector("text=Ticket closed.")
    assert page.locator("[data-status='closed']").count() == 1
    with live_server.app.app_context():
        assert Ticket.get().status == "closed"
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors


def test_reseller_lands_in_the_partner_area_and_files_a_ticket(page, live_server):
    reseller = _setup(live_server, role="reseller")
    log_in(page, live_server, reseller.email, factories.PASSWORD)
    page.wait_for_url("**/partner/")
    assert page.locator("h1").inner_text() == "Partner Area"
    assert page.locator("a[href^='/forum']").count() == 0  # policy 3.2
    page.click("a:has-text('File a new ticket')")
    page.fill("#f-subject", "Customer licence moved to a new server")
    _file_ticket(page, live_server, subject="Customer licence moved to a new server")
    assert page.locator("[data-level='RESELLER']").count() == 1
    assert page.locator("a[href^='/forum']").count() == 0
    page.goto(live_server.url + "/partner/")
    assert "Customer licence moved to a new server" in page.inner_text("#ticket-list")
    response = page.goto(live_server.url + "/forum/")
    assert response.status == 404  # policy 3.2: every forum URL answers 404 to resellers


def test_free_user_is_refused_a_remote_session(page, live_server):
    user = _setup(live_server)
    log_in(page, live_server, user.email, factories.PASSWORD)
    _file_ticket(page, live_server)
    refused = page.locator("#remote [data-remote-refused]")
    assert "Remote support is only for commercial licenses and resellers" in refused.inner_text()  # policy 8.2
    assert page.locator("button:has-text('Ask for a remote session')").count() == 0
    assert page.locator("#f-remote_id").count() == 0


def test_eligible_user_submits_credentials_and_never_sees_them_again(page, live_server):
    user = _setup(live_server, level="STARTER")
    log_in(page, live_server, user.email, factories.PASSWORD)
    _file_ticket(page, live_server)
    page.click("button:has-text('Ask for a remote session')")
    page.locator("#remote [data-session='requested']").wait_for()
    page.fill("#f-remote_id", "987-654-321")
    page.fill("#f-password", "S3cret-browser-pass")
    page.fill("#f-notes", "local admin")
    page.click("button:has-text('Send credentials securely')")
    page.wait_for_selector("text=will not be shown again")
    for content in (page.content(), (page.reload() and page.content())):
        assert "S3cret-browser-pass" not in content and "987-654-321" not in content
    assert "hidden" in page.inner_text("#credentials")
    assert page.input_value("#f-password") == "" and page.input_value("#f-remote_id") == ""
    with live_server.app.app_context():
        assert Credential.get().ciphertext is not None


def test_a_failed_htmx_action_is_explained_not_silent(page, live_server):
    """htmx does not swap error answers: the base page's message area tells the person instead."""
    user = _setup(live_server, level="PRO")
    log_in(page, live_server, user.email, factories.PASSWORD)
    _file_ticket(page, live_server)
    with live_server.app.app_context():
        Ticket.update(requester=factories.make_user(level="PRO")).execute()  # no longer theirs: 404
    page.fill("#f-reply", "Any news on this?")
    page.click("button:has-text('Send reply')")
    alert = page.locator("#htmx-error")
    alert.wait_for(state="visible")
    assert "no longer available" in alert.inner_text()
