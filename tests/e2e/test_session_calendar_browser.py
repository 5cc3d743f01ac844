"""In Debian's Chromium: an agent schedules a 30-minute session, a second agent cannot book the first
agent over it (the clash is named), the customer confirms the time, and the calendar shows it, also
at a phone's width (policy 8.1, 1.5)."""
import pytest

from portal.models import RemoteSession
from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import browser_page, log_in
from tests.staff_ops.conftest import make_ticket, next_weekday

pytestmark = pytest.mark.e2e


def _data(app):
    with app.app_context():
        customer = factories.make_user(level="PRO", display_name="Pat")
        other = factories.make_user(level="PLUS", display_name="Quinn")
        ana = factories.make_user(role="staff", display_name="Ana")
        bob = factories.make_user(role="staff", display_name="Bob")
        first = make_ticket(customer, subject="Viewer freezes on connect")
        second = make_ticket(other, subject="Host service stops")
    return customer, ana, bob, first, second


def test_schedule_clash_confirm_and_calendar(page, browser, request, live_server):
    customer, ana, bob, first, second = _data(live_server.app)
    day = next_weekday(7, 2)
    log_in(page, live_server, ana.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/staff/tickets/{first.id}")
    panel = page.locator("[data-panel=session]")
    panel.locator("input[name=starts_on]").fill(day.isoformat())
    panel.locator("input[name=starts_time]").fill("10:00")
    assert panel.locator("select[name=duration_minutes]").input_value() == "30"  # the default length
    panel.locator("button:has-text('Schedule session')").click()
    page.wait_for_selector("tr[data-session-status=scheduled]")
    assert "30 min" in page.locator("tr[data-session-status=scheduled]").inner_text()

    with browser_page(browser, request, suffix="-second") as bob_page:  # Bob tries to book Ana over it
        log_in(bob_page, live_server, bob.email, factories.PASSWORD)
        bob_page.goto(f"{live_server.url}/staff/tickets/{second.id}")
        bob_panel = bob_page.locator("[data-panel=session]")
        bob_panel.locator("select[name=agent]").select_option(str(ana.id))
        bob_panel.locator("input[name=starts_on]").fill(day.isoformat())
        bob_panel.locator("input[name=starts_time]").fill("10:15")
        bob_panel.locator("button:has-text('Schedule session')").click()
        clash = bob_page.locator("#e-ops-starts-on")
        clash.wait_for()
        assert f"Ana has #{first.id} at 10:00–10:30 PT" in clash.inner_text()
        check_a11y(bob_page)
    with live_server.app.app_context():
        assert RemoteSession.select().where(RemoteSession.ticket == second.id).count() == 0

    with browser_page(browser, request, suffix="-customer") as customer_page:
        log_in(customer_page, live_server, customer.email, factories.PASSWORD)
        customer_page.goto(f"{live_server.url}/tickets/{first.id}")
        extra = customer_page.locator(".session-extra")
        assert "10:00 PT" in extra.inner_text() and "30 minutes" in extra.inner_text()
        customer_page.click("button:has-text('Confirm this time')")
        customer_page.wait_for_selector("[data-session-answer=confirmed]")
        check_a11y(customer_page)
    with live_server.app.app_context():
        assert RemoteSession.get(RemoteSession.ticket == first.id).confirmed_at is not None

    page.goto(f"{live_server.url}/staff/sessions?week={day.isoformat()}")
    entry = page.locator(f"[data-day='{day.isoformat()}'] .cal-entry")
    assert entry.count() == 1 and entry.get_attribute("data-confirmed") is not None
    assert "10:00–10:30 PT" in entry.inner_text() and "Viewer freezes on connect" in entry.inner_text()
    check_a11y(page)
    entry.locator("a").click()
    page.wait_for_url(f"**/staff/tickets/{first.id}")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the days stack
    page.goto(f"{live_server.url}/staff/sessions?week={day.isoformat()}")
    boxes = [page.locator(".week .day").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] == boxes[1]["x"] and boxes[1]["y"] > boxes[0]["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors
