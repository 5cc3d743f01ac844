"""Support hours shown on pages come from the policy data, not from template text (policy 1.5)."""
import pytest

from portal.services import tickets
from tests.policy._util import custom_policy

OTHER = dict(time_zone="America/New_York", zone_label="ET",
             hours={"open": "09:00", "close": "18:00", "days": ["Mon", "Tue", "Wed", "Thu"],
                    "holidays": ["2026-12-24"]})
OTHER_TEXT = "09:00–18:00 Eastern time (ET), Monday to Thursday, except holidays"


@pytest.fixture
def other_hours(app):
    """The running app under a policy with other support hours (policy 1.5 and its holiday Decision)."""
    original = app.extensions["runtime"].policy
    app.extensions["runtime"].policy = custom_policy(**OTHER)
    yield
    app.extensions["runtime"].policy = original


def test_policy_1_5_pages_show_the_policy_hours(app, client, login, make_user, in_app, other_hours):
    user = make_user(level="PRO")
    ticket = in_app(tickets.create_ticket, user, "Remote Utilities", "", "Viewer freezes on connect",
                    "The Viewer freezes when I connect to a Host.", accept_policy=True)
    assert OTHER_TEXT in client.get("/forum/").get_data(as_text=True)  # base.html footer, anonymous
    login(user)
    for url in ("/account/", "/tickets/new", f"/tickets/{ticket.id}"):
        html = client.get(url).get_data(as_text=True)
        assert html.count(OTHER_TEXT) == 2, url  # the footer and the page's own sentence
        assert "08:00" not in html and "Pacific" not in html, url
