"""Who may use tickets, the forum and remote support (policy 2.1, 3.2, 3.3, 4.1, 4.4, 8.2)."""
from __future__ import annotations

import pytest

from portal.policy import AccountFacts, Decision

from ._util import custom_policy

ANON = AccountFacts("anonymous", None, False)
PRO = AccountFacts("customer", "PRO", True)
FREE = AccountFacts("customer", "FREE", True)
TRIAL = AccountFacts("customer", "TRIAL", True)
UNVERIFIED = AccountFacts("customer", "PRO", False)
RESELLER = AccountFacts("reseller", "RESELLER", True)
STAFF = AccountFacts("staff", None, True)
ADMIN = AccountFacts("admin", None, True)


def test_policy_decision_is_truthy_when_allowed():
    assert Decision(True, "4.1", "ok") and not Decision(False, "4.4", "no")


def test_policy_2_1_every_level_may_use_both_channels_by_default(policy):
    for level in ("SITE", "PRO", "PLUS", "STARTER", "FREE", "TRIAL"):
        assert policy.channels(level) == ("ticket", "forum")
        acct = AccountFacts("customer", level, True)
        assert policy.may_open_ticket(acct) and policy.may_post_forum(acct) and policy.may_see_forum(acct)


def test_policy_2_1_customer_without_level_counts_as_free(policy):
    assert policy.may_open_ticket(AccountFacts("customer", None, True))


def test_policy_4_4_anonymous_may_read_forum_only(policy):
    assert policy.may_see_forum(ANON)
    for decision in (policy.may_post_forum(ANON), policy.may_open_ticket(ANON), policy.may_request_remote(ANON)):
        assert not decision and decision.clause == "4.4"


def test_policy_4_4_unverified_customer_must_verify_email_first(policy):
    for decision in (policy.may_open_ticket(UNVERIFIED), policy.may_post_forum(UNVERIFIED),
                     policy.may_request_remote(UNVERIFIED)):
        assert not decision
        assert decision.clause == "4.4"
        assert "verify your email" in decision.reason.lower()
    assert policy.may_see_forum(UNVERIFIED)


def test_policy_3_2_reseller_tickets_only_forum_hidden(policy):
    assert policy.channels("RESELLER") == ("ticket",)
    assert policy.may_open_ticket(RESELLER)
    for decision in (policy.may_see_forum(RESELLER), policy.may_post_forum(RESELLER)):
        assert not decision and decision.clause == "3.2"
    # a reseller holding a PRO license is still a reseller account: no forum (3.2)
    assert not policy.may_see_forum(AccountFacts("reseller", "PRO", True))


def test_policy_3_3_resellers_get_remote_support(policy):
    decision = policy.may_request_remote(RESELLER)
    assert decision and decision.clause == "3.3"


@pytest.mark.parametrize("level, allowed", [
    ("SITE", True), ("PRO", True), ("PLUS", True), ("STARTER", True), ("FREE", False), ("TRIAL", False),
])
def test_policy_8_2_remote_support_for_commercial_licenses(policy, level, allowed):
    decision = policy.may_request_remote(AccountFacts("customer", level, True))
    assert bool(decision) is allowed and decision.clause == "8.2"


def test_policy_4_1_staff_see_and_post_in_forum(policy):
    for acct in (STAFF, ADMIN):
        assert policy.may_see_forum(acct) and policy.may_post_forum(acct)
        assert not policy.may_request_remote(acct)


def test_policy_2_1_decision_forum_only_levels_are_configurable():
    p = custom_policy(channels={"FREE": ["forum"], "TRIAL": ["forum"]})
    decision = p.may_open_ticket(FREE)
    assert not decision and decision.clause == "2.1" and "forum" in decision.reason
    assert p.may_post_forum(TRIAL)
    assert p.may_open_ticket(PRO)


def test_policy_4_4_unknown_role_rejected(policy):
    with pytest.raises(ValueError, match="role"):
        policy.may_open_ticket(AccountFacts("robot", None, True))


def test_policy_3_2_is_a_rule_reseller_denied_whatever_the_channels():
    # policy 3.2: resellers "cannot post in the community forum" and (Decision) do not see it;
    # not something a channel list may switch on, so eligibility denies the role outright
    from portal.policy import eligibility

    def both(level):
        return ("ticket", "forum")

    for acct in (RESELLER, AccountFacts("reseller", "PRO", True), AccountFacts("reseller", None, False)):
        for decision in (eligibility.may_see_forum(acct, both), eligibility.may_post_forum(acct, both)):
            assert not decision and decision.clause == "3.2"
    assert eligibility.may_see_forum(PRO, both) and eligibility.may_post_forum(PRO, both)
