"""In Debian's Chromium (issue 13, Views and search; Everyday quality): the queue at a phone's width
keeps level, assignee and business time in view; "Why is this here?" stays open across the
queue's refresh; the search box of the navigation finds a ticket as one types; the views."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import browser_page, log_in

pytestmark = pytest.mark.e2e


def _data(live_server):
    with live_server.app.app_context():
        agent = factories.make_user(role="staff", display_name="Ann Agent")
        site = factories.make_ticket(factories.make_user(level="SITE"), subject="Hosts drop off the address book",
                                     assignee=agent)
        free = factories.make_ticket(factories.make_user(level="FREE", email="zoe.requester@fabrikam.test"),
                                     subject="Clipboard does not synchronise")
        return agent, site, free


def _accessible(page):
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def test_queue_at_390_px_keeps_level_assignee_and_business_time_in_view(browser, request, live_server):
    agent, site, _ = _data(live_server)
    with browser_page(browser, request, viewport={"width": 390, "height": 844}) as page:
        log_in(page, live_server, agent.email, factories.PASSWORD)
        page.goto(live_server.url + "/staff/queue")
        row = page.locator(f"tr[data-request-id='{site.id}']")
        for cell, text in ((".queue-level", "SITE"), (".queue-assignee", "Ann Agent"),
                           (".queue-time", "business time")):
            locator = row.locator(cell)
            assert locator.is_visible() and text in locator.inner_text(), cell
            box = locator.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (cell, box)  # no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _accessible(page)
        page.goto(live_server.url + "/staff/tickets")  # the views stack their rows too
        cell = page.locator(f"tr[data-ticket-id='{site.id}'] td[data-label=Assignee]")
        assert cell.is_visible() and cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_why_is_this_here_stays_open_across_the_refresh(browser, request, live_server):
    agent, site, free = _data(live_server)
    with browser_page(browser, request) as page:
        page.clock.install()  # the 30-second poll, fast-forwarded
        log_in(page, live_server, agent.email, factories.PASSWORD)
        page.goto(live_server.url + "/staff/queue")
        why = page.locator(f"#why-ticket-{free.id}")
        why.locator("summary").click()
        assert why.get_attribute("open") is not None
        expect(why).to_contain_text("Level FREE (policy 2.1)")  # loaded when opened (htmx, issue 16)
        assert "Opened " in why.inner_text()
        old = page.locator("#queue-rows").element_handle()
        with page.expect_response(lambda r: "/staff/queue" in r.url and "open=" in r.url):
            page.clock.fast_forward("00:31")
        page.wait_for_function("old => !old.isConnected", arg=old)  # the rows were swapped
        assert page.locator(f"#why-ticket-{free.id}").get_attribute("open") is not None
        assert page.locator(f"#why-ticket-{site.id}").get_attribute("open") is None
        # (the browser's own /favicon.ico request answers 404: a failed load, no script error)
        assert not [e for e in page.js_errors if "Failed to load resource" not in e], page.js_errors


def test_active_search_shows_a_result_and_the_plain_form_lists_them(page, live_server):
    agent, site, free = _data(live_server)
    log_in(page, live_server, agent.email, factories.PASSWORD)
    page.goto(live_server.url + "/staff/tickets?view=mine")
    assert page.locator("tr[data-ticket-id]").count() == 1  # the SITE ticket is Ann's
    page.locator("#staff-q").press_sequentially("synchronising", delay=20)  # stemmed: synchronise
    hit = page.locator(f"#staff-search-results li[data-ticket-id='{free.id}']")
    hit.wait_for()
    assert "zoe.requester@fabrikam.test" in hit.inner_text()
    _accessible(page)
    page.locator("#staff-q").fill("fabrikam.test")
    page.locator("#staff-q").press("Enter")  # the plain form: the results page
    page.wait_for_url("**/staff/search?q=fabrikam.test")
    assert page.locator(f"tr[data-ticket-id='{free.id}']").count() == 1
    page.locator(f"tr[data-ticket-id='{free.id}'] a:has-text('Clipboard')").click()
    page.wait_for_url(f"**/staff/tickets/{free.id}")
