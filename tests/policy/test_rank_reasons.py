"""What decided a request's place, one line each ("Why is this here?"): channel, level and its
reason, due time and business time left, age (policy 4.6, 2.1, 3.4). Pure: no database."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.policy.wording import age_text

from ._util import pt


def test_policy_4_6_the_lines_follow_the_sort_channel_level_due_age(policy):
    due, opened, now = pt(2026, 3, 2, 10, 30), pt(2026, 3, 2, 8, 0), pt(2026, 3, 2, 9, 10)
    lines = policy.rank_reasons("ticket", "PRO", "PRO: license RUPRO-...-4K8M is current", due, opened, now)
    assert lines == (
        "Ticket: tickets come before every forum thread (policy 4.6)",
        "Level PRO (policy 2.1): PRO: license RUPRO-...-4K8M is current",
        "First response due Mon 2 Mar 2026 10:30 PT: 1 h 20 min of business time left",
        "Opened Mon 2 Mar 2026 08:00 PT, 1 h 10 min ago (the older first at the same level and due time)",
    )


def test_policy_3_4_a_reseller_cites_its_band_and_a_thread_has_no_reason(policy):
    due, opened, now = pt(2026, 3, 6, 16, 0), pt(2026, 3, 5, 9, 0), pt(2026, 3, 9, 9, 5)
    lines = policy.rank_reasons("forum", "RESELLER", "", due, opened, now)
    assert lines[0] == "Forum thread: after every ticket (policy 4.6)"
    assert lines[1] == "Level RESELLER (policy 3.4)"
    assert lines[2].endswith(": overdue by 2 h 5 min of business time")  # Fri 16-17, Mon 8-9:05
    assert lines[3].startswith("Opened Thu 5 Mar 2026 09:00 PT, 4 d ago")


def test_policy_2_1_a_follow_up_has_no_target_and_keeps_its_due_time(policy):
    due, opened, now = pt(2026, 3, 2, 10, 30), pt(2026, 3, 2, 8, 0), pt(2026, 3, 3, 9, 0)
    line = policy.rank_reasons("ticket", "PLUS", "", due, opened, now, answered=True)[2]
    assert "no first-response target applies (policy 2.1)" in line and "Mon 2 Mar 2026 10:30 PT" in line
    assert "overdue" not in line


def test_policy_2_1_the_time_left_given_is_the_time_left_said(policy):
    due, opened, now = pt(2026, 3, 2, 10, 30), pt(2026, 3, 2, 8, 0), pt(2026, 3, 2, 9, 10)
    clock = policy.sla_clock(opened, due, now)
    assert policy.rank_reasons("ticket", "PRO", "", due, opened, now, left=clock.left)[2].endswith(clock.text())
    assert policy.rank_reasons("ticket", "PRO", "", due, opened, now) == \
        policy.rank_reasons("ticket", "PRO", "", due, opened, now, left=clock.left)


def test_policy_4_6_unknown_channel_level_or_naive_times_are_refused(policy):
    due, opened, now = pt(2026, 3, 2, 10, 30), pt(2026, 3, 2, 8, 0), pt(2026, 3, 2, 9, 10)
    with pytest.raises(ValueError):
        policy.rank_reasons("email", "PRO", "", due, opened, now)
    with pytest.raises(ValueError):
        policy.rank_reasons("ticket", "GOLD", "", due, opened, now)
    with pytest.raises(ValueError):
        policy.rank_reasons("ticket", "PRO", "", due, opened.replace(tzinfo=None), now)


@pytest.mark.parametrize("age, text", [
    (timedelta(seconds=30), "0 min"), (timedelta(minutes=4), "4 min"), (timedelta(hours=3, minutes=5), "3 h 5 min"),
    (timedelta(hours=2), "2 h"), (timedelta(days=1), "1 d"), (timedelta(days=2, hours=3, minutes=59), "2 d 3 h"),
    (timedelta(minutes=-5), "0 min"),  # a moment ahead of now (clock skew) is no negative age
])
def test_age_is_wall_clock_time_in_words(age, text):
    now = pt(2026, 3, 2, 9, 0)
    assert age_text(now - age, now) == text
