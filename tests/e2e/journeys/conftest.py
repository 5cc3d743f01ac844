"""Helpers for the journeys (issue 7 part 1): every page a journey reaches is checked by axe-core."""
import re

import pytest

from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import ARTIFACTS


@pytest.fixture
def second_page(browser, request):
    """Another person's browser (a separate context), with a screenshot when the test fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda m: page.js_errors.append(m.text) if m.type == "error" else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-second.png"), full_page=True)
    context.close()


def visit(page, server, path, status=200):
    """Open a page, check its HTTP status and its accessibility."""
    response = page.goto(server.url + path)
    assert response.status == status, f"{path}: {response.status}"
    check_a11y(page)
    return response


def arrive(page, url_glob):
    """After a click that navigates: wait for the new page, then check its accessibility."""
    page.wait_for_url(url_glob)
    check_a11y(page)


def sign_in(page, server, email, password=factories.PASSWORD, landing="**"):
    """Log in through the form (checking the login page), then check the landing page."""
    visit(page, server, "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("main button:has-text('Log in')")
    arrive(page, landing)
    assert page.locator("nav a:has-text('Log in')").count() == 0, "still logged out"


def mails_to(server, email):
    """Messages the real SMTP sink received for `email`."""
    return [m for m in server.smtp.messages if email in m["to"]]


def link_in(mail, path_pattern):
    """The first absolute link to this server in a mail whose path matches `path_pattern`."""
    match = re.search(r"(http://127\.0\.0\.1:\d+" + path_pattern + r")", mail["body"])
    assert match, mail["body"]
    return match.group(1)


def no_csp_errors(page):
    """The browser reported no Content Security Policy violation (nor any script error)."""
    bad = [e for e in page.js_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not bad, bad
