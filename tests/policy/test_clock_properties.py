"""Property tests for the business clock (policy 1.5, 2.1 footnote)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ._util import PT, custom_policy

HOLIDAYS = ["2026-03-09", "2026-11-26", "2026-12-25", "2027-01-01", "2027-05-31"]
POLICY = custom_policy(hours={"holidays": HOLIDAYS})
CLOCK = POLICY.clock

# Instants from 2025 to 2028 (both DST changes each year), as UTC-aware datetimes.
instants = st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2028, 1, 1),
                        timezones=st.just(timezone.utc))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
positive = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(hours=300))


def reference_between(a: datetime, b: datetime) -> timedelta:
    """Slow day-by-day business time from a to b (a <= b), for comparison."""
    total = timedelta(0)
    day = a.astimezone(PT).date() - timedelta(days=1)
    while day <= b.astimezone(PT).date() + timedelta(days=1):
        if day.weekday() < 5 and day.isoformat() not in HOLIDAYS:
            lo = datetime(day.year, day.month, day.day, 8, tzinfo=PT)
            hi = datetime(day.year, day.month, day.day, 17, tzinfo=PT)
            lo, hi = max(lo, a), min(hi, b)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


@settings(max_examples=300)
@given(instants, durations)
def test_policy_2_1_add_then_measure_round_trips(a, d):
    assert CLOCK.business_time_between(a, CLOCK.add_business_time(a, d)) == d


@settings(max_examples=300)
@given(instants, instants)
def test_policy_2_1_between_matches_day_by_day_reference(a, b):
    a, b = min(a, b), max(a, b)
    assert CLOCK.business_time_between(a, b) == reference_between(a, b)
    assert CLOCK.business_time_between(b, a) == -reference_between(a, b)


@settings(max_examples=300)
@given(instants, durations, durations)
def test_policy_2_1_add_is_monotonic(a, d1, d2):
    small, large = min(d1, d2), max(d1, d2)
    assert CLOCK.add_business_time(a, small) <= CLOCK.add_business_time(a, large)
    later = a + (large - small)
    assert CLOCK.add_business_time(a, small) <= CLOCK.add_business_time(later, small)


@settings(max_examples=300)
@given(instants, positive)
def test_policy_1_5_due_is_inside_hours_or_exactly_closing(a, d):
    due = CLOCK.add_business_time(a, d)
    assert due.tzinfo is PT
    assert due > a
    local = due.astimezone(PT)
    at_closing = (local.hour, local.minute, local.second, local.microsecond) == (17, 0, 0, 0)
    assert CLOCK.is_open(due) or (at_closing and CLOCK.is_business_day(local.date()))
    # and it is the earliest such instant: a microsecond earlier, d has not yet run
    assert CLOCK.business_time_between(a, due - timedelta(microseconds=1)) < d


@settings(max_examples=200)
@given(instants)
def test_policy_1_5_next_opening_is_open_and_nothing_open_before(a):
    nxt = CLOCK.next_opening(a)
    assert nxt >= a and CLOCK.is_open(nxt)
    assert CLOCK.business_time_between(a, nxt) == timedelta(0)


@settings(max_examples=100)
@given(st.sampled_from(["SITE", "PRO", "PLUS", "STARTER", "RESELLER", "FREE", "TRIAL"]), instants)
def test_policy_2_2_regrade_never_later(level, changed):
    old_due = POLICY.first_response_due(changed - timedelta(hours=5), "FREE")
    new_due = POLICY.regrade_due(old_due, changed, level)
    assert new_due <= old_due
    assert new_due <= POLICY.first_response_due(changed, level)


def test_policy_1_5_holiday_list_is_used():
    assert not CLOCK.is_business_day(date(2026, 3, 9))


@settings(max_examples=200, deadline=None)  # no time limit: the machine may be busy
@given(instants, st.lists(st.tuples(instants, positive), min_size=0, max_size=8))
def test_policy_2_1_a_page_of_clocks_equals_each_clock_alone(now, spans):
    """sla_clocks (a queue page, `now` placed once) says what sla_clock says for every request."""
    spans = [(opened, CLOCK.add_business_time(opened, target)) for opened, target in spans]
    assert POLICY.sla_clocks(spans, now) == [POLICY.sla_clock(opened, due, now) for opened, due in spans]


@settings(max_examples=200, deadline=None)  # no time limit: the machine may be busy
@given(instants, st.lists(st.tuples(instants, positive), min_size=0, max_size=8), st.lists(instants, max_size=3))
def test_policy_2_1_a_page_of_readings_says_what_each_clock_says(now, spans, later):
    """sla_readings (the queue: spans and words remembered, only `now` placed per page) gives each
    span's sla_clock state, text() and business time left, at every moment the same spans are read."""
    spans = [(opened, CLOCK.add_business_time(opened, target)) for opened, target in spans]
    spans += [(opened, due) for opened, due in spans[:2]]  # a span read twice on one page
    for moment in [now, *later, now]:
        expected = [POLICY.sla_clock(opened, due, moment) for opened, due in spans]
        assert POLICY.sla_readings(spans, moment) == [
            (c.state, c.text(), c.left // timedelta(microseconds=1)) for c in expected]


def test_policy_2_1_readings_tell_no_time_left_from_overdue_by_nothing():
    """Due at Friday's closing: at that instant nothing is left, by Saturday it is overdue by
    nothing (no business time runs over the weekend); the words differ though the time left is 0."""
    opened, due = datetime(2026, 3, 13, 9, tzinfo=PT), datetime(2026, 3, 13, 17, tzinfo=PT)
    for _ in range(2):  # the second time from what was remembered
        assert POLICY.sla_readings([(opened, due)], due) == [("at_risk", "0 min of business time left", 0)]
        assert POLICY.sla_readings([(opened, due)], due + timedelta(days=1)) == [
            ("breached", "overdue by 0 min of business time", 0)]
