"""Hand-checked business clock cases (policy 1.5, 2.1 footnote)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ._util import PT, custom_policy, pt, utc

H = timedelta(hours=1)


# policy 1.5: 08:00-17:00 Pacific, Monday to Friday
@pytest.mark.parametrize("at, open_", [
    (pt(2026, 3, 2, 8, 0), True),      # Monday opening, inclusive
    (pt(2026, 3, 2, 7, 59), False),
    (pt(2026, 3, 2, 16, 59), True),
    (pt(2026, 3, 2, 17, 0), False),    # closing is exclusive
    (pt(2026, 3, 7, 10, 0), False),    # Saturday
    (pt(2026, 3, 8, 10, 0), False),    # Sunday
    (utc(2026, 7, 1, 15, 0), True),    # 08:00 PDT given in UTC
    (utc(2026, 1, 7, 15, 0), False),   # 07:00 PST given in UTC
])
def test_policy_1_5_support_hours_pacific_mon_fri(policy, at, open_):
    assert policy.clock.is_open(at) is open_


def test_policy_1_5_next_opening(policy):
    clock = policy.clock
    assert clock.next_opening(pt(2026, 3, 2, 7, 0)) == pt(2026, 3, 2, 8, 0)
    assert clock.next_opening(pt(2026, 3, 2, 9, 30)) == pt(2026, 3, 2, 9, 30)  # open: now
    assert clock.next_opening(pt(2026, 3, 2, 17, 0)) == pt(2026, 3, 3, 8, 0)
    assert clock.next_opening(pt(2026, 3, 6, 18, 0)) == pt(2026, 3, 9, 8, 0)   # Fri evening -> Mon
    assert clock.next_opening(pt(2026, 3, 7, 12, 0)).tzinfo is PT


def test_policy_2_1_pro_target_three_business_hours(policy):
    assert policy.target("PRO") == 3 * H
    assert policy.first_response_due(pt(2026, 3, 3, 9, 0), "PRO") == pt(2026, 3, 3, 12, 0)


def test_policy_2_1_spills_over_to_next_business_day(policy):
    # Tue 15:30 + 3 h: 1 h 30 min today, 1 h 30 min from Wed 08:00
    assert policy.first_response_due(pt(2026, 3, 3, 15, 30), "PRO") == pt(2026, 3, 4, 9, 30)


def test_policy_2_1_due_exactly_at_closing_is_closing(policy):
    # Mon 15:00 + SITE 2 h ends at 17:00 sharp: due then, not at next 08:00
    due = policy.first_response_due(pt(2026, 3, 2, 15, 0), "SITE")
    assert due == pt(2026, 3, 2, 17, 0)
    # STARTER 8 h from 09:00 ends at 17:00 the same day
    assert policy.first_response_due(pt(2026, 3, 2, 9, 0), "STARTER") == pt(2026, 3, 2, 17, 0)
    # FREE 24 h from Mon 08:00: 9 + 9 + 6 -> Wed 14:00
    assert policy.first_response_due(pt(2026, 3, 2, 8, 0), "FREE") == pt(2026, 3, 4, 14, 0)
    # 27 h = three whole days from Mon 08:00 -> Wed 17:00
    p27 = custom_policy(targets={"FREE": 27})
    assert p27.first_response_due(pt(2026, 3, 2, 8, 0), "FREE") == pt(2026, 3, 4, 17, 0)


def test_policy_2_1_footnote_weekend_start_waits_for_monday(policy):
    assert policy.first_response_due(pt(2026, 3, 7, 10, 0), "PRO") == pt(2026, 3, 9, 11, 0)
    assert policy.first_response_due(pt(2026, 3, 6, 17, 0), "PRO") == pt(2026, 3, 9, 11, 0)
    assert policy.first_response_due(pt(2026, 3, 2, 6, 0), "PRO") == pt(2026, 3, 2, 11, 0)


def test_policy_2_1_footnote_friday_afternoon_spans_weekend(policy):
    # Fri 16:00 + PLUS 4 h: 1 h Friday, 3 h Monday
    assert policy.first_response_due(pt(2026, 3, 13, 16, 0), "PLUS") == pt(2026, 3, 16, 11, 0)


def test_policy_1_5_dst_spring_forward_march_2026(policy):
    # DST starts Sun 2026-03-08 02:00. Fri 16:00 PST (= Sat 00:00 UTC) + 3 h -> Mon 10:00 PDT.
    opened = pt(2026, 3, 6, 16, 0)
    assert opened.utcoffset() == -8 * H
    due = policy.first_response_due(opened, "PRO")
    assert due == pt(2026, 3, 9, 10, 0)
    assert due.utcoffset() == -7 * H
    assert due.astimezone(utc(2026, 1, 1).tzinfo) == utc(2026, 3, 9, 17, 0)
    assert policy.clock.business_time_between(opened, due) == 3 * H
    # The transition day itself is a Sunday: opening during the skipped hour waits for Monday
    assert policy.first_response_due(utc(2026, 3, 8, 10, 30), "PRO") == pt(2026, 3, 9, 11, 0)


def test_policy_1_5_dst_fall_back_november_2026(policy):
    # DST ends Sun 2026-11-01 02:00. Fri 16:00 PDT + 3 h -> Mon 10:00 PST (18:00 UTC).
    opened = pt(2026, 10, 30, 16, 0)
    assert opened.utcoffset() == -7 * H
    due = policy.first_response_due(opened, "PRO")
    assert due == pt(2026, 11, 2, 10, 0)
    assert due.utcoffset() == -8 * H
    assert due == utc(2026, 11, 2, 18, 0)
    # 08:00 local is 15:00 UTC in summer and 16:00 UTC in winter
    assert policy.clock.next_opening(utc(2026, 11, 2, 15, 30)) == utc(2026, 11, 2, 16, 0)
    # A whole week across the change is still 45 h of business time
    assert policy.clock.business_time_between(pt(2026, 10, 26), pt(2026, 11, 2)) == 45 * H


def test_policy_1_5_output_in_policy_zone_even_for_utc_input(policy):
    due = policy.first_response_due(utc(2026, 6, 1, 16, 0), "SITE")  # 09:00 PDT
    assert due.tzinfo is PT
    assert due == pt(2026, 6, 1, 11, 0)


def test_policy_1_5_holidays_are_skipped():
    p = custom_policy(hours={"holidays": ["2026-12-25", "2027-01-01", "2026-12-26"]})
    # Thu 2026-12-24 16:00 + 3 h: 1 h Thursday, Friday 25th is a holiday, 2 h Monday 28th
    assert p.first_response_due(pt(2026, 12, 24, 16, 0), "PRO") == pt(2026, 12, 28, 10, 0)
    assert not p.clock.is_open(pt(2026, 12, 25, 10, 0))
    assert p.clock.next_opening(pt(2026, 12, 24, 18, 0)) == pt(2026, 12, 28, 8, 0)
    # The Saturday holiday (26th) does not count twice: the week has 4 business days
    assert p.clock.business_time_between(pt(2026, 12, 21), pt(2026, 12, 28)) == 36 * H


def test_policy_1_5_holiday_toml_dates_accepted():
    p = custom_policy(hours={"holidays": [date(2026, 7, 3)]})
    assert p.first_response_due(pt(2026, 7, 2, 16, 0), "PRO") == pt(2026, 7, 6, 10, 0)


def test_policy_2_1_ten_year_target_is_exact():
    # 520 weeks of 45 h from Mon 2026-01-05 08:00 ends on the Friday of week 520 at 17:00
    p = custom_policy(targets={"TRIAL": 520 * 45})
    due = p.first_response_due(pt(2026, 1, 5, 8, 0), "TRIAL")
    assert due == datetime.combine(date(2026, 1, 5) + timedelta(weeks=519, days=4),
                                   datetime.min.time().replace(hour=17), tzinfo=PT)
    # Ten weekday holidays inside the range push it two weeks later; a Sunday one does not
    holidays = [f"{y}-07-0{d}" for y, d in [(2027, 1), (2028, 3), (2029, 2), (2030, 1), (2031, 1)]]
    holidays += [f"{y}-12-2{d}" for y, d in [(2026, 4), (2027, 3), (2028, 1), (2029, 6), (2030, 5)]]
    holidays.append("2026-01-11")  # a Sunday
    p2 = custom_policy(targets={"TRIAL": 520 * 45}, hours={"holidays": holidays})
    assert p2.first_response_due(pt(2026, 1, 5, 8, 0), "TRIAL") == due + timedelta(weeks=2)
    assert p2.clock.business_time_between(pt(2026, 1, 5, 8, 0), due + timedelta(weeks=2)) == 520 * 45 * H


def test_policy_2_1_business_time_between_signs(policy):
    a, b = pt(2026, 3, 6, 16, 0), pt(2026, 3, 9, 9, 0)
    assert policy.clock.business_time_between(a, b) == 2 * H
    assert policy.clock.business_time_between(b, a) == -2 * H  # reverse span, negated
    assert policy.clock.business_time_between(pt(2026, 3, 7), pt(2026, 3, 8)) == timedelta(0)


def test_policy_1_5_naive_datetimes_rejected(policy):
    naive = datetime(2026, 3, 2, 9, 0)
    for call in (lambda: policy.clock.is_open(naive),
                 lambda: policy.clock.next_opening(naive),
                 lambda: policy.clock.add_business_time(naive, H),
                 lambda: policy.clock.business_time_between(naive, pt(2026, 3, 2)),
                 lambda: policy.first_response_due(naive, "PRO")):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_policy_2_1_unknown_level_names_allowed_levels(policy):
    with pytest.raises(ValueError, match="SITE, PRO, PLUS, STARTER, RESELLER, FREE, TRIAL"):
        policy.first_response_due(pt(2026, 3, 2, 9), "GOLD")


def test_policy_2_1_negative_or_zero_delta(policy):
    with pytest.raises(ValueError):
        policy.clock.add_business_time(pt(2026, 3, 2, 9), -H)
    sat = pt(2026, 3, 7, 10)
    assert policy.clock.add_business_time(sat, timedelta(0)) == sat


# policy 1.5 (and its Decision: a holiday calendar, empty by default): the hours people read
# come from the policy data, not from sentences written into templates
def test_policy_1_5_hours_text_default(policy):
    assert policy.hours_text() == "08:00–17:00 Pacific time (PT), Monday to Friday"


@pytest.mark.parametrize("overrides, expected", [
    (dict(hours={"open": "09:30", "close": "18:00", "days": ["Mon", "Tue", "Wed", "Thu"]}),
     "09:30–18:00 Pacific time (PT), Monday to Thursday"),
    (dict(time_zone="Europe/Berlin", zone_label="CET", hours={"days": ["Mon", "Wed", "Fri"]}),
     "08:00–17:00 Berlin time (CET), Monday, Wednesday and Friday"),
    (dict(time_zone="America/New_York", zone_label="ET", hours={"days": ["Sat", "Sun"]}),
     "08:00–17:00 Eastern time (ET), Saturday and Sunday"),
    (dict(hours={"days": ["Tue"]}), "08:00–17:00 Pacific time (PT), Tuesday"),
    (dict(time_zone="UTC", zone_label="UTC", hours={"days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}),
     "08:00–17:00 UTC, every day"),
    (dict(hours={"holidays": ["2026-12-25", "2027-01-01"]}),
     "08:00–17:00 Pacific time (PT), Monday to Friday, except holidays"),
    (dict(hours={"holidays": ["2026-12-26"]}),  # a Saturday: no business day is lost
     "08:00–17:00 Pacific time (PT), Monday to Friday"),
])
def test_policy_1_5_hours_text_follows_the_policy_data(overrides, expected):
    assert custom_policy(**overrides).hours_text() == expected


def test_policy_1_5_hours_text_is_worded_again_for_another_clock_or_label():
    """The footer's wording is kept per clock and zone label, never past a change of either."""
    policy = custom_policy()
    assert policy.hours_text() == "08:00–17:00 Pacific time (PT), Monday to Friday"
    policy.zone_label = "PST"
    assert policy.hours_text() == "08:00–17:00 Pacific time (PST), Monday to Friday"
    policy.clock = custom_policy(hours={"days": ["Tue"]}).clock
    assert policy.hours_text() == "08:00–17:00 Pacific time (PST), Tuesday"
