"""Support hours and business time left are worded one way on every page that shows them
(policy 1.5, 2.1): the customer's ticket page and list, the staff queue and ticket page, the footer."""
import datetime
import re

import pytest
import time_machine

from portal.services import get_policy
from tests import factories

UTC = datetime.timezone.utc
NOW = datetime.datetime(2031, 3, 18, 17, 0, tzinfo=UTC)  # Tue 18 Mar 2031 10:00 PDT, support open
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def make_ticket(app):
    return factories.in_app_context(app, factories.make_ticket)


def _text(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("opened, due, left", [
    (NOW - HOUR, NOW + 2 * HOUR, "2 h of business time left"),
    (NOW - 25 * HOUR, NOW - HOUR, "overdue by 1 h of business time"),  # due 09:00 today
])
def test_policy_2_1_time_left_reads_the_same_everywhere(app, login, make_user, make_ticket, opened, due, left):
    with time_machine.travel(NOW, tick=False):
        customer, agent = make_user(level="PRO"), make_user(role="staff")
        ticket = make_ticket(customer, opened=opened, due=due)
        with app.app_context():
            due_text = get_policy().time_text(due)
        mine, staff = login(customer, app.test_client()), login(agent, app.test_client())
        detail = _text(mine.get(f"/tickets/{ticket.id}"))
        listing = _text(mine.get("/tickets/"))
        queue = _text(staff.get("/staff/queue"))
        queue_why = _text(staff.get(f"/staff/queue/why/ticket-{ticket.id}", headers={"HX-Request": "true"}))
        work = _text(staff.get(f"/staff/tickets/{ticket.id}"))
    assert f"First response: {left} (due {due_text})." in detail
    assert f">{left}</td>" in listing
    assert f">{left}</span>" in queue  # the queue's business-time column
    why = f"Ticket · PRO · due {due_text} · {left}"
    assert why in queue_why and why in work  # "Why is this here?" (loaded when opened) and the staff ticket's line


def test_policy_1_5_support_hours_read_the_same_everywhere(app, login, make_user, make_ticket):
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    ticket = make_ticket(customer)
    with app.app_context():
        hours = get_policy().hours_text()
    assert hours == "08:00–17:00 Pacific time (PT), Monday to Friday"
    footer = f"Support hours: {hours} (policy 1.5)."
    mine = login(customer, app.test_client())
    for url in ("/account/", "/tickets/new", f"/tickets/{ticket.id}", "/policy"):
        page = _text(mine.get(url))
        assert footer in page and page.count(hours) == 2, url  # the footer and the page's own sentence
    staff = login(agent, app.test_client())
    panels = _text(staff.get(f"/staff/tickets/{ticket.id}/ops", follow_redirects=True))
    assert footer in panels and f"Inside support hours: {hours} (policy 1.5)." in panels
