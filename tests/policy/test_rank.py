"""Queue order, SLA state and wording (policy 4.6, 2.1, 3.4)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.policy import LEVELS, format_business_duration

from ._util import pt, utc


def test_policy_4_6_tickets_before_forum_for_every_level(policy):
    worst_ticket = max(policy.rank_band("ticket", level) for level in LEVELS)
    best_forum = min(policy.rank_band("forum", level) for level in LEVELS)
    assert worst_ticket < best_forum


def test_policy_2_1_levels_ordered_within_channel(policy):
    for channel in ("ticket", "forum"):
        bands = [policy.rank_band(channel, level) for level in LEVELS]
        assert bands == sorted(bands)
        assert len(set(bands[:5])) == 5  # SITE < PRO < PLUS < STARTER < RESELLER


def test_policy_3_4_reseller_between_starter_and_free(policy):
    band = policy.rank_band("ticket", "RESELLER")
    assert policy.rank_band("ticket", "STARTER") < band < policy.rank_band("ticket", "FREE")


def test_policy_2_1_free_and_trial_share_a_band(policy):
    assert policy.rank_band("ticket", "FREE") == policy.rank_band("ticket", "TRIAL")


def test_policy_4_6_bands_are_small_integers(policy):
    assert policy.rank_band("ticket", "SITE") == 1
    assert policy.rank_band("forum", "TRIAL") == 16


def test_policy_4_6_unknown_channel_or_level(policy):
    with pytest.raises(ValueError, match="ticket, forum"):
        policy.rank_band("email", "PRO")
    with pytest.raises(ValueError, match="allowed"):
        policy.rank_band("ticket", "GOLD")


def test_policy_4_6_queue_key_matches_order_by(policy):
    rows = [
        ("forum", "SITE", pt(2026, 3, 2, 9), pt(2026, 3, 2, 8), 1),
        ("ticket", "FREE", pt(2026, 3, 4, 9), pt(2026, 3, 2, 8), 2),
        ("ticket", "PRO", pt(2026, 3, 2, 12), pt(2026, 3, 2, 9), 3),
        ("ticket", "PRO", pt(2026, 3, 2, 11), pt(2026, 3, 2, 8), 4),
        ("ticket", "PRO", utc(2026, 3, 2, 19), pt(2026, 3, 2, 8), 5),  # same instant as 11:00 PT
        ("ticket", "TRIAL", pt(2026, 3, 3, 9), pt(2026, 3, 2, 8), 6),
    ]
    ordered = sorted(rows, key=lambda r: policy.queue_key(*r))
    assert [r[4] for r in ordered] == [4, 5, 3, 6, 2, 1]


def test_policy_4_6_explain_rank_time_left(policy):
    text = policy.explain_rank("ticket", "PRO", pt(2026, 3, 2, 10, 30), pt(2026, 3, 2, 9, 10))
    assert text == "Ticket · PRO · due Mon 2 Mar 2026 10:30 PT · 1 h 20 min of business time left"


def test_policy_4_6_explain_rank_overdue_counts_business_time(policy):
    # due Fri 16:00, now Mon 09:05: overdue by 1 h + 1 h 5 min of business time
    text = policy.explain_rank("forum", "FREE", pt(2026, 3, 6, 16, 0), pt(2026, 3, 9, 9, 5))
    assert text == "Forum · FREE · due Fri 6 Mar 2026 16:00 PT · overdue by 2 h 5 min of business time"


def test_policy_4_6_explain_rank_writes_the_due_time_as_pages_do(policy):
    due = pt(2026, 3, 20, 10, 0)
    text = policy.explain_rank("ticket", "FREE", due, pt(2026, 3, 2, 9, 0))
    assert "due Fri 20 Mar 2026 10:00 PT" in text and f"due {policy.time_text(due)} ·" in text


def test_policy_2_1_overdue_over_the_weekend_says_overdue(policy):
    # due Fri 17:00 (closing), now Saturday: no business time has run since, but it is past due
    due, now = pt(2026, 3, 6, 17, 0), pt(2026, 3, 7, 12, 0)
    clock = policy.sla_clock(pt(2026, 3, 6, 9, 0), due, now)
    assert (clock.state, clock.left, clock.text()) == ("breached", timedelta(0), "overdue by 0 min of business time")
    assert policy.explain_rank("ticket", "PRO", due, now).endswith(" · overdue by 0 min of business time")


def test_policy_2_1_sla_state(policy):
    opened = pt(2026, 3, 2, 9, 0)
    due = policy.first_response_due(opened, "STARTER")  # 17:00, 8 h target; at risk under 2 h left
    assert policy.sla_state(opened, due, pt(2026, 3, 2, 14, 0)) == "ok"
    assert policy.sla_state(opened, due, pt(2026, 3, 2, 15, 0)) == "ok"        # exactly 25% left
    assert policy.sla_state(opened, due, pt(2026, 3, 2, 15, 1)) == "at_risk"
    assert policy.sla_state(opened, due, due) == "at_risk"
    assert policy.sla_state(opened, due, due + timedelta(seconds=1)) == "breached"


def test_policy_2_1_sla_clock_state_and_time_left_text(policy):
    opened = pt(2026, 3, 2, 9, 0)
    due = policy.first_response_due(opened, "STARTER")  # Mon 17:00
    clock = policy.sla_clock(opened, due, pt(2026, 3, 2, 15, 40))
    assert (clock.state, clock.left, clock.text()) == ("at_risk", timedelta(hours=1, minutes=20),
                                                       "1 h 20 min of business time left")
    late = policy.sla_clock(opened, due, pt(2026, 3, 3, 10, 5))  # Tue 10:05: 2 h 5 min of business time late
    assert (late.state, late.text()) == ("breached", "overdue by 2 h 5 min of business time")
    assert late.left == -timedelta(hours=2, minutes=5)
    # the rank explanation says the same with or without the precomputed time left
    now = pt(2026, 3, 2, 15, 40)
    assert policy.explain_rank("ticket", "STARTER", due, now) == \
        policy.explain_rank("ticket", "STARTER", due, now, left=clock.left)


def test_policy_2_1_sla_state_at_risk_counts_business_time(policy):
    # PRO opened Fri 16:00, due Mon 10:00: on Saturday 1 h of 3 h is used, 2 h left -> ok
    opened = pt(2026, 3, 6, 16, 0)
    due = policy.first_response_due(opened, "PRO")
    assert policy.sla_state(opened, due, pt(2026, 3, 7, 12, 0)) == "ok"
    assert policy.sla_state(opened, due, pt(2026, 3, 9, 9, 30)) == "at_risk"


@pytest.mark.parametrize("delta, text", [
    (timedelta(hours=1, minutes=20), "1 h 20 min"),
    (timedelta(hours=3), "3 h"),
    (timedelta(minutes=5, seconds=59), "5 min"),
    (timedelta(0), "0 min"),
    (timedelta(hours=30), "30 h"),
    (-timedelta(minutes=90), "-1 h 30 min"),
])
def test_policy_format_business_duration(delta, text):
    assert format_business_duration(delta) == text


def test_policy_2_1_sla_report_explains_due_time(policy):
    report = policy.sla_report("PRO", pt(2026, 3, 7, 10, 0))  # Saturday, before DST change
    assert "PRO (Pro)" in report and "3 h" in report
    assert "08:00-17:00 Mon-Fri, America/Los_Angeles" in report
    assert "outside support hours" in report
    assert "clock starts Mon 2026-03-09 08:00 PDT (2026-03-09 15:00 UTC)" in report
    assert "Due:      Mon 2026-03-09 11:00 PDT (2026-03-09 18:00 UTC)" in report
    assert "Policy version 2026.1" in report
    inside = policy.sla_report("SITE", pt(2026, 3, 2, 9, 0))
    assert "started at once" in inside
