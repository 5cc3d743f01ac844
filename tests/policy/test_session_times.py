"""A remote session's span inside support hours, and its times worded for a person in their own
zone with Pacific time beside (policy 1.5, 8.1)."""
from datetime import timedelta

import pytest

from ._util import pt, utc


@pytest.mark.parametrize("start, minutes, inside", [
    (pt(2031, 3, 18, 16, 30), 30, True),    # ends exactly at closing
    (pt(2031, 3, 18, 16, 31), 30, False),   # one minute past closing
    (pt(2031, 3, 18, 8, 0), 120, True),
    (pt(2031, 3, 18, 7, 59), 15, False),    # starts before opening
    (pt(2031, 3, 22, 10, 0), 30, False),    # Saturday
])
def test_policy_1_5_a_session_lies_wholly_inside_support_hours(policy, start, minutes, inside):
    assert policy.clock.holds(start, start + timedelta(minutes=minutes)) is inside


def test_an_empty_or_reversed_span_is_not_held(policy):
    start = pt(2031, 3, 18, 10, 0)
    assert not policy.clock.holds(start, start)
    assert not policy.clock.holds(start, start - timedelta(minutes=5))


def test_closing_follows_daylight_saving_time(policy):
    assert policy.clock.closes_at(utc(2031, 3, 18, 16, 30)) == utc(2031, 3, 19, 0, 0)   # PDT
    assert policy.clock.closes_at(utc(2031, 1, 7, 16, 30)) == utc(2031, 1, 8, 1, 0)     # PST


@pytest.mark.parametrize("zone, text", [
    ("America/Los_Angeles", "Tue 18 Mar 2031 09:30 PT"),
    (None, "Tue 18 Mar 2031 09:30 PT"),
    ("Nowhere/Unknown", "Tue 18 Mar 2031 09:30 PT"),           # an unknown zone reads as Pacific
    ("Europe/Berlin", "Tue 18 Mar 2031 17:30 CET (09:30 PT)"),
    ("Asia/Tokyo", "Wed 19 Mar 2031 01:30 JST (Tue 09:30 PT)"),  # across midnight: the Pacific day too
    ("Asia/Dubai", "Tue 18 Mar 2031 20:30 UTC+04 (09:30 PT)"),   # a zone without letters
    ("America/Vancouver", "Tue 18 Mar 2031 09:30 PT"),           # the same wall time: no second time
])
def test_policy_1_5_a_moment_for_a_person_in_their_zone_with_pacific_beside(policy, zone, text):
    assert policy.time_text_for(utc(2031, 3, 18, 16, 30), zone) == text


def test_a_span_in_the_viewers_zone_and_in_pacific(policy):
    start = utc(2031, 3, 18, 16, 30)
    end = start + timedelta(minutes=30)
    assert policy.span_text_for(start, end, "Europe/Berlin") == ("17:30–18:00 CET", "09:30–10:00 PT")
    assert policy.span_text_for(start, end, "America/Los_Angeles") == ("09:30–10:00 PT", "")
    assert policy.span_text_for(start, end, "Asia/Tokyo") == ("01:30–02:00 JST", "Tue 09:30–10:00 PT")
