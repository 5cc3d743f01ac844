"""Partner tickets as pure rules: who of a partner sees them, and their level (policy 3.1, 3.4, 2.1)."""
import datetime
import tomllib

import pytest

from portal.policy import (DEFAULT_PATH, VISIBILITY, PolicyError, can_see_partner_ticket, parse_policy,
                           partner_ticket_level)
from portal.policy.partners import EXPIRING_DAYS, license_state

A, B = 1, 2  # partner ids
FILER, COLLEAGUE = 10, 11
KEY = "RUPRO-8H2JD-3MZ7X-9ZT3"


def sees(viewer_partner, role, viewer, visibility, ticket_partner=A, filer=FILER):
    return bool(can_see_partner_ticket(viewer_partner, role, viewer, ticket_partner, filer, visibility))


# policy 3.1 Decision: "all" (default), "managers", "own"
@pytest.mark.parametrize("visibility, member_sees, manager_sees", [
    ("all", True, True),
    ("managers", False, True),
    ("own", False, False),
])
def test_policy_3_1_visibility_within_the_partner(visibility, member_sees, manager_sees):
    assert sees(A, "member", COLLEAGUE, visibility) is member_sees
    assert sees(A, "manager", COLLEAGUE, visibility) is manager_sees
    assert sees(A, "member", FILER, visibility)  # the filer always sees their own ticket


@pytest.mark.parametrize("visibility", VISIBILITY)
def test_policy_3_1_another_partner_never_sees_a_ticket(visibility):
    assert not sees(B, "manager", COLLEAGUE, visibility)
    assert not sees(B, "member", FILER, visibility)  # the filer has left A for B: takes nothing along
    assert not sees(None, None, FILER, visibility)  # nor when they belong to no partner any more
    assert not sees(A, "manager", COLLEAGUE, visibility, ticket_partner=None)  # not a partner ticket


def test_policy_3_1_refusals_give_a_reason():
    decision = can_see_partner_ticket(A, "member", COLLEAGUE, A, FILER, "managers")
    assert not decision and decision.clause == "3.1" and "managers" in decision.reason
    assert "partner" in can_see_partner_ticket(B, "manager", COLLEAGUE, A, FILER, "all").reason


def test_policy_3_1_unknown_visibility_is_an_error():
    with pytest.raises(ValueError, match="all, managers, own"):
        can_see_partner_ticket(A, "member", FILER, A, FILER, "everyone")


# policy 3.4, 2.1: the better of the reseller band and a current end-customer license
@pytest.mark.parametrize("tier, level", [("SITE", "SITE"), ("PRO", "PRO"), ("PLUS", "PLUS"),
                                         ("STARTER", "STARTER"), ("TRIAL", "RESELLER")])
def test_policy_3_4_and_2_1_better_of_band_and_current_license(tier, level):
    decision = partner_ticket_level("RESELLER", tier, True, "better_of", KEY)
    assert decision.level == level


def test_policy_2_1_the_reason_names_the_masked_license():
    decision = partner_ticket_level("RESELLER", "PRO", True, "better_of", KEY)
    assert decision.reason == "PRO: the end customer's license RUPRO-...-9ZT3 is current"
    assert decision.license_key == KEY and "8H2JD" not in decision.reason


def test_policy_2_1_an_expired_license_gives_the_band():
    decision = partner_ticket_level("RESELLER", "SITE", False, "better_of", KEY)
    assert decision.level == "RESELLER" and "not current" in decision.reason and "RUPRO-...-9ZT3" in decision.reason
    assert decision.license_key is None


def test_policy_3_4_a_trial_license_keeps_the_band_and_says_why():
    decision = partner_ticket_level("RESELLER", "TRIAL", True, "better_of", "RUTRL-5C1XN-4HV9Q-3J8L")
    assert decision.level == "RESELLER" and "ranks above" in decision.reason and "TRIAL" in decision.reason


def test_policy_3_4_without_a_license_the_band():
    decision = partner_ticket_level("RESELLER", None, False, "better_of")
    assert decision.level == "RESELLER" and decision.reason.startswith("RESELLER: partner ticket")


def test_policy_3_1_rule_band_always_gives_the_reseller_band():
    decision = partner_ticket_level("RESELLER", "SITE", True, "band", KEY)
    assert decision.level == "RESELLER" and "always" in decision.reason


def test_policy_3_4_bad_arguments_are_errors():
    with pytest.raises(ValueError, match="better_of, band"):
        partner_ticket_level("RESELLER", "PRO", True, "best")
    with pytest.raises(ValueError, match="unknown support level"):
        partner_ticket_level("GOLD", "PRO", True, "better_of")
    with pytest.raises(ValueError, match="unknown license type"):
        partner_ticket_level("RESELLER", "RESELLER", True, "better_of")


# the policy file: defaults, the Policy's own methods, and bad values named with key and reason
def _policy(partners=None):
    data = tomllib.loads(DEFAULT_PATH.read_text())
    if partners is not None:
        data["partners"] = partners
    return parse_policy(data)


def test_policy_3_1_defaults_follow_support_policy_md(policy):
    assert (policy.partners.visibility, policy.partners.ticket_level) == ("all", "better_of")
    assert policy.partner_ticket_level("SITE", True, KEY).level == "SITE"
    assert policy.can_see_partner_ticket(A, "member", COLLEAGUE, A, FILER)


def test_policy_3_1_the_file_switches_both_decisions():
    strict = _policy({"visibility": "own", "ticket_level": "band"})
    assert not strict.can_see_partner_ticket(A, "manager", COLLEAGUE, A, FILER)
    assert strict.partner_ticket_level("SITE", True, KEY).level == "RESELLER"
    assert _policy({}).partners.visibility == "all"  # every key optional


@pytest.mark.parametrize("table, message", [
    ({"visibility": "everyone"}, "partners.visibility: must be one of all, managers, own"),
    ({"ticket_level": "best"}, "partners.ticket_level: must be one of better_of, band"),
    ({"ticket_level": True}, "partners.ticket_level: must be one of"),
    ({"export": "csv"}, "partners.export: unknown key"),
])
def test_policy_3_1_bad_partner_values_name_key_and_reason(table, message):
    with pytest.raises(PolicyError, match=f"^{message}"):
        _policy(table)


def test_policy_3_1_partners_must_be_a_table():
    with pytest.raises(PolicyError, match="^partners: must be a table"):
        _policy("all")


# policy 3.1: how a license a partner sold stands; expires_on is its first day no longer valid
TODAY = datetime.date(2026, 11, 24)


@pytest.mark.parametrize("expires_in, state", [
    (None, "current"), (400, "current"), (31, "current"),
    (30, "expiring"), (1, "expiring"),
    (0, "expired"), (-1, "expired"),
])
def test_policy_3_1_license_state_around_the_30_day_window(expires_in, state):
    expires = TODAY + datetime.timedelta(days=expires_in) if expires_in is not None else None
    assert license_state(TODAY - datetime.timedelta(days=100), expires, TODAY) == state


def test_policy_3_1_license_state_window_and_start():
    assert EXPIRING_DAYS == 30
    in_45 = TODAY + datetime.timedelta(days=45)
    assert license_state(TODAY, in_45, TODAY, window=60) == "expiring"
    assert license_state(TODAY + datetime.timedelta(days=1), in_45, TODAY) == "not_started"
    assert license_state(TODAY, in_45, TODAY) == "current"  # bought today
