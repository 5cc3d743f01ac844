"""In Debian's Chromium: two agents (two browser contexts) open one ticket and each sees the
other; typing in the reply box shows "is typing" to the other; the queue row says who is there."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import browser_page, log_in

pytestmark = pytest.mark.e2e


def _data(live_server):
    with live_server.app.app_context():
        customer = factories.make_user(level="PRO")
        ann = factories.make_user(role="staff", display_name="Ann")
        bob = factories.make_user(role="staff", display_name="Bob")
        ticket = factories.make_ticket(customer, subject="Viewer drops after an hour")
        return ann, bob, ticket


def test_two_agents_on_one_ticket_see_each_other_and_who_is_typing(browser, request, live_server):
    ann, bob, ticket = _data(live_server)
    url = f"{live_server.url}/staff/tickets/{ticket.id}"
    with browser_page(browser, request) as first, browser_page(browser, request, suffix="-second") as second:
        log_in(first, live_server, ann.email, factories.PASSWORD)
        log_in(second, live_server, bob.email, factories.PASSWORD)
        first.goto(url)
        second.goto(url)
        # the box asks at once on load and every 5 s after: each sees the other, never themselves
        expect(first.locator("#presence")).to_contain_text("Bob has this open", timeout=12000)
        expect(second.locator("#presence")).to_contain_text("Ann has this open", timeout=12000)
        expect(first.locator("#presence")).not_to_contain_text("Ann")

        box, typing = second.locator("#f-body"), first.locator("#presence [data-state=typing]")
        box.press_sequentially("Could you send us the Viewer log?", delay=20)
        # as someone writing a reply does, keys keep coming (a beat lasts 8 s, polls come every 5 s;
        # on a busy machine one burst of keys can fall between two polls)
        for _ in range(15):
            if typing.count() and "Bob is typing a reply" in typing.first.inner_text():
                break
            box.press_sequentially(" Thanks.", delay=20)
            first.wait_for_timeout(1000)
        expect(typing).to_contain_text("Bob is typing a reply", timeout=12000)
        check_a11y(first)

        first.goto(f"{live_server.url}/staff/queue")  # Ann's queue row of the ticket: Bob is on it
        first.wait_for_selector(f"tr[data-request-id='{ticket.id}'] [data-presence='Bob']")
        check_a11y(first)

        first.goto(url)
        expect(first.locator("#presence")).to_contain_text("Bob", timeout=12000)
        second.goto(f"{live_server.url}/staff/queue")  # Bob leaves the ticket: his tab says goodbye
        # gone at the next poll, well before his entry would expire by itself (20 s)
        expect(first.locator("#presence")).not_to_contain_text("Bob", timeout=15000)
        for page in (first, second):
            assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors
