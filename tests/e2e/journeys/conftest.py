"""Helpers for the journeys (issue 7 part 1): every page a journey reaches is checked by axe-core."""
import re

import pytest

from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import browser_page


@pytest.fixture
def second_page(browser, request):
    """Another person's browser (a separate context), with a screenshot when the test fails."""
    with browser_page(browser, request, "-second") as page:
        yield page


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
