"""In Debian's Chromium: register, verify by the mailed link, log in and out (issue 2 part 10)."""
import re

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_register_verify_login_logout(page, live_server):
    page.goto(live_server.url + "/register")
    page.fill("#f-email", "browser@example.test")
    page.fill("#f-password", "a long password")
    page.fill("#f-confirm", "a long password")
    page.click("button:has-text('Register')")
    page.wait_for_selector("h1:has-text('Check your email')")
    mail = live_server.smtp.messages[-1]
    assert mail["to"] == ["browser@example.test"]
    link = re.search(r"(http://127\.0\.0\.1:\d+/verify/\S+)", mail["body"]).group(1)
    page.goto(link)
    page.fill("#f-password", "a long password")  # only the registrant can confirm
    page.click("button:has-text('Confirm my email')")
    page.wait_for_selector("text=Your email is confirmed.")
    log_in(page, live_server, "browser@example.test", "a long password")
    page.goto(live_server.url + "/account/")
    assert page.locator("h1").inner_text() == "Your account"
    assert "FREE" in page.locator("[data-level]").inner_text()
    page.click("button:has-text('Log out')")
    page.wait_for_selector("text=You are logged out.")
    page.goto(live_server.url + "/account/")
    assert "/login" in page.url
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors


def test_register_fields_are_checked_as_they_are_left(page, live_server):
    page.goto(live_server.url + "/register")
    page.fill("#f-email", "not-an-email")
    page.press("#f-email", "Tab")  # change: htmx asks /register/check for this field's block
    page.wait_for_selector("#e-email:has-text('Enter a valid email address')")
    assert page.get_attribute("#f-email", "aria-invalid") == "true"
    page.fill("#f-password", "short")
    page.press("#f-password", "Tab")
    page.wait_for_selector("#e-password:has-text('at least 10')")
    assert page.input_value("#f-password") == "short"  # the swapped block keeps what was typed
    page.fill("#f-email", "inline@example.test")
    page.press("#f-email", "Tab")
    page.wait_for_selector("#e-email", state="detached")
    assert not [e for e in page.js_errors if "404" not in e], page.js_errors  # /favicon.ico is none
