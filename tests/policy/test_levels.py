"""Support levels, targets and level resolution (policy 2.1, 2.2, 3.4, 4.5)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.policy import LEVELS, LevelDecision, LicenseFacts

from ._util import pt

H = timedelta(hours=1)
TODAY = date(2026, 3, 2)


def lic(key="RU-AAAA-7K2Q", type="PRO", bought=date(2025, 1, 1), expires=None):
    return LicenseFacts(key=key, type=type, purchased_on=bought, expires_on=expires)


def test_policy_2_1_levels_in_rank_order():
    assert LEVELS == ("SITE", "PRO", "PLUS", "STARTER", "RESELLER", "FREE", "TRIAL")


@pytest.mark.parametrize("level, hours", [
    ("SITE", 2), ("PRO", 3), ("PLUS", 4), ("STARTER", 8), ("RESELLER", 8), ("FREE", 24), ("TRIAL", 24),
])
def test_policy_2_1_first_response_targets(policy, level, hours):
    assert policy.target(level) == hours * H


def test_policy_3_4_reseller_target_eight_business_hours(policy):
    assert policy.first_response_due(pt(2026, 3, 2, 10, 0), "RESELLER") == pt(2026, 3, 3, 9, 0)


def test_policy_2_1_labels(policy):
    assert policy.level_label("PRO") == "Pro"
    assert policy.level_label("TRIAL") == "Trial"
    with pytest.raises(ValueError, match="allowed"):
        policy.level_label("pro")


def test_policy_2_1_best_active_license_wins(policy):
    decision = policy.resolve_level([lic("K1-STAR", "STARTER"), lic("RU-AAAA-7K2Q", "PRO")], False, TODAY)
    assert decision == LevelDecision("PRO", "PRO through license ...-7K2Q", "RU-AAAA-7K2Q")


def test_policy_2_1_expired_paid_license_falls_to_free(policy):
    decision = policy.resolve_level([lic(expires=date(2026, 1, 31))], False, TODAY)
    assert decision.level == "FREE"
    assert decision.reason == "FREE: license ...-7K2Q (PRO) expired on 2026-01-31"
    assert decision.license_key is None


def test_policy_2_1_license_is_valid_until_its_expiry_day(policy):
    facts = [lic(expires=date(2026, 3, 3))]
    assert policy.resolve_level(facts, False, date(2026, 3, 2)).level == "PRO"
    assert policy.resolve_level(facts, False, date(2026, 3, 3)).level == "FREE"


def test_policy_2_1_active_trial_gives_trial(policy):
    decision = policy.resolve_level([lic("T-0001", "TRIAL", expires=date(2026, 4, 1))], False, TODAY)
    assert (decision.level, decision.reason) == ("TRIAL", "TRIAL through license ...-0001")


def test_policy_2_1_no_license_is_free(policy):
    assert policy.resolve_level([], False, TODAY) == LevelDecision("FREE", "FREE: no license on this account", None)


def test_policy_2_1_license_bought_later_is_not_active_yet(policy):
    decision = policy.resolve_level([lic(bought=date(2026, 4, 1))], False, TODAY)
    assert decision.level == "FREE" and "active yet" in decision.reason


def test_policy_3_4_reseller_band(policy):
    assert policy.resolve_level([], True, TODAY) == LevelDecision("RESELLER", "RESELLER: partner account", None)
    # a trial or an expired license does not beat the reseller band
    trial = lic("T-0001", "TRIAL", expires=date(2026, 4, 1))
    assert policy.resolve_level([trial, lic(expires=date(2026, 1, 1))], True, TODAY).level == "RESELLER"


def test_policy_3_4_reseller_with_better_license_gets_the_better(policy):
    decision = policy.resolve_level([lic("RU-BBBB-9X9X", "STARTER")], True, TODAY)
    assert decision.level == "STARTER"
    assert decision.reason.startswith("STARTER through license ...-9X9X")
    assert decision.license_key == "RU-BBBB-9X9X"


def test_policy_2_1_unknown_license_type_rejected(policy):
    with pytest.raises(ValueError, match="license type"):
        policy.resolve_level([lic(type="GOLD")], False, TODAY)


def test_policy_2_2_upgrade_makes_due_earlier_at_once(policy):
    opened = pt(2026, 3, 2, 9, 0)
    old_due = policy.first_response_due(opened, "STARTER")        # Mon 17:00
    assert old_due == pt(2026, 3, 2, 17, 0)
    new_due = policy.regrade_due(old_due, pt(2026, 3, 2, 10, 0), "PLUS")  # upgrade at 10:00 -> 14:00
    assert new_due == pt(2026, 3, 2, 14, 0)


def test_policy_2_2_upgrade_keeps_old_due_when_that_is_earlier(policy):
    old_due = pt(2026, 3, 2, 11, 0)
    assert policy.regrade_due(old_due, pt(2026, 3, 2, 10, 0), "PLUS") == old_due


def test_policy_2_2_downgrade_never_later(policy):
    old_due = policy.first_response_due(pt(2026, 3, 2, 9, 0), "PRO")  # 12:00
    assert policy.regrade_due(old_due, pt(2026, 3, 2, 10, 0), "FREE") == old_due


def test_policy_2_2_regrade_rejects_naive(policy):
    from datetime import datetime

    with pytest.raises(ValueError):
        policy.regrade_due(datetime(2026, 3, 2, 12), pt(2026, 3, 2, 10), "PRO")
