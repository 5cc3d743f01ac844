"""One wording each for a moment, a date and business time left (policy 1.5, 2.1)."""
from datetime import date, datetime, timedelta

import pytest

from portal.policy import date_text, time_left_text

from ._util import pt, utc


def test_policy_1_5_a_moment_is_written_in_the_policy_zone(policy):
    assert policy.time_text(utc(2031, 3, 18, 16, 30)) == "Tue 18 Mar 2031 09:30 PT"  # PDT: UTC-7
    assert policy.time_text(utc(2031, 1, 7, 16, 30)) == "Tue 7 Jan 2031 08:30 PT"  # PST, no leading zero
    assert policy.time_text(None) == ""


def test_a_naive_moment_is_refused_not_guessed(policy):
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.time_text(datetime(2031, 3, 18, 16, 30))


def test_a_date_is_written_without_a_leading_zero():
    assert date_text(date(2031, 3, 8)) == "Sat 8 Mar 2031"
    assert date_text(None) == ""


@pytest.mark.parametrize("left, overdue, text", [
    (timedelta(hours=1, minutes=20), None, "1 h 20 min of business time left"),
    (timedelta(0), None, "0 min of business time left"),
    (-timedelta(hours=2, minutes=5), None, "overdue by 2 h 5 min of business time"),
    (timedelta(0), True, "overdue by 0 min of business time"),  # past due over a weekend
])
def test_policy_2_1_time_left_in_one_wording(left, overdue, text):
    assert time_left_text(left, overdue) == text


def test_policy_2_1_the_queue_line_and_the_clock_say_the_same(policy):
    opened, now = pt(2026, 3, 2, 9, 0), pt(2026, 3, 2, 15, 40)
    due = policy.first_response_due(opened, "STARTER")
    clock = policy.sla_clock(opened, due, now)
    assert policy.explain_rank("ticket", "STARTER", due, now).endswith(" · " + clock.text())


def test_a_remembered_time_text_is_the_one_worded_afresh_in_each_zone_and_a_naive_moment_stays_refused():
    from zoneinfo import ZoneInfo

    from portal.policy import wording
    moment = utc(2031, 3, 18, 16, 30)
    for zone, label in ((ZoneInfo("America/Los_Angeles"), "PT"), (ZoneInfo("Europe/Berlin"), "CET"),
                        (ZoneInfo("America/Los_Angeles"), "Pacific")):
        first = wording.time_text(moment, zone, label)
        assert wording.time_text(moment.astimezone(zone), zone, label) is first  # the same instant, remembered
        wording._TIME_TEXTS.clear()
        assert wording.time_text(moment, zone, label) == first  # worded afresh: the same words
    assert wording.time_text(moment, ZoneInfo("Europe/Berlin"), "CET") == "Tue 18 Mar 2031 17:30 CET"
    with pytest.raises(ValueError):
        wording.time_text(moment.replace(tzinfo=None), ZoneInfo("America/Los_Angeles"), "PT")
