"""Bad ids and dates answer 404 or a form error, never 500 (issue 10): the app's `int` URL
converter, portal.ids.parse_id for ids in forms, the session start's bounds."""
import datetime

import pytest

from portal.ids import MAX_ID, parse_id
from portal.models import RemoteSession
from tests.security.attack_helpers import client_for, post, text, world  # noqa: F401

BAD = [str(2**63), str(2**64), str(10**30), "9" * 4301, "-1", "0", "²", "١", "１", "1e3", "x"]


@pytest.mark.parametrize("value", BAD + [True, 1.0, None, 2**63, -5])
def test_parse_id_takes_only_ascii_digits_in_the_signed_64_bit_range(value):
    assert parse_id(value) is None


def test_parse_id_reads_real_ids():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(MAX_ID) == MAX_ID
    assert parse_id(str(MAX_ID)) == MAX_ID == 2**63 - 1


def urls(ids):
    t = ids["ticket_id"]
    return {"ticket": "/tickets/{}", "attachment": f"/tickets/{t}/attachments/{{}}", "ics": "/tickets/{}/session.ics",
            "staff ticket": "/staff/tickets/{}", "bug": "/staff/bugs/{}", "thread": "/forum/t/{}",
            "post": "/forum/p/{}", "staff thread": "/staff/threads/{}"}


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 30, "١"])
def test_out_of_range_and_foreign_digit_ids_in_urls_are_404(app, world, client_for, value):
    staff = client_for(world.users["staff"])
    for name, url in urls(world.ids).items():
        response = staff.get(url.format(value))
        assert response.status_code == 404, (name, url.format(value), response.status_code)


def test_an_id_in_another_scripts_digits_does_not_name_the_object(app, world, client_for):
    staff = client_for(world.users["staff"])
    arabic = str(world.ids["ticket_id"]).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert staff.get(f"/staff/tickets/{world.ids['ticket_id']}").status_code == 200
    assert staff.get(f"/staff/tickets/{arabic}").status_code == 404


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "²", "١", "-3"])
def test_bad_agent_and_bug_ids_in_forms_are_form_errors(app, world, client_for, value):
    staff, t = client_for(world.users["staff"]), world.ids["ticket_id"]
    assign = post(staff, f"/staff/tickets/{t}/assign", {"agent": value})
    assert assign.status_code == 400 and "Choose a member of staff" in text(assign)
    bug = post(staff, f"/staff/tickets/{t}/bug", {"bug_id": value})
    assert bug.status_code == 400 and "Choose a bug from the list" in text(bug)
    with app.app_context():
        RemoteSession.update(status="cancelled").execute()  # the scheduling form shows again
    session = post(staff, f"/staff/tickets/{t}/sessions",
                   {"agent": value, "starts_on": "2031-03-18", "starts_time": "10:30"})
    assert session.status_code == 400 and "Choose a staff member as the agent" in text(session)


@pytest.mark.parametrize("day,clock", [("9999-12-31", "16:45"), ("9999-12-30", "10:30"), ("3000-01-06", "10:00")])
def test_a_session_start_years_ahead_is_refused_with_a_message(app, world, client_for, day, clock):
    staff = client_for(world.users["staff"])
    with app.app_context():
        RemoteSession.update(status="cancelled").execute()  # the ticket is free to schedule
    response = post(staff, f"/staff/tickets/{world.ids['ticket_id']}/sessions",
                    {"agent": str(world.users["staff"].id), "starts_on": day, "starts_time": clock})
    assert response.status_code == 400 and "Choose a start within a year from today" in text(response)
    with app.app_context():
        assert RemoteSession.select().where(RemoteSession.status == "scheduled").count() == 0


def test_a_session_start_within_the_year_is_still_taken(app):
    from portal.services.sessions import parse_start
    with app.app_context():
        at = datetime.datetime(2031, 3, 17, 12, tzinfo=datetime.timezone.utc)  # a Monday
        start = parse_start(datetime.date(2032, 3, 16), datetime.time(10, 30), at=at)
        assert start == datetime.datetime(2032, 3, 16, 17, 30, tzinfo=datetime.timezone.utc)
