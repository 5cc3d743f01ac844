"""Who may see tickets and credentials, recording bugs, the FREE fallback (policy 2.1, 4.1, 5.3, 8.2, 8.5)."""
from __future__ import annotations

import pytest

from portal.policy import LEVELS, AccountFacts, SessionFacts, TicketFacts, effective_level

ANON = AccountFacts("anonymous", None, False)
OWNER = AccountFacts("customer", "PRO", True, user_id=1)
OTHER = AccountFacts("customer", "SITE", True, user_id=2)
RESELLER = AccountFacts("reseller", "RESELLER", True, user_id=3)
STAFF = AccountFacts("staff", "FREE", True, user_id=10)
ADMIN = AccountFacts("admin", "FREE", True, user_id=11)
AGENT = AccountFacts("staff", "FREE", True, user_id=12)
SCHEDULED = SessionFacts("scheduled", agent_id=12, agent_name="Ann Agent")


# -- policy 2.1: the level fallback --------------------------------------------------------
@pytest.mark.parametrize("level", LEVELS)
def test_policy_2_1_a_known_level_is_kept(policy, level):
    assert effective_level(level) == level and policy.effective_level(level) == level


@pytest.mark.parametrize("level", [None, "", "GOLD", "pro"])
def test_policy_2_1_no_or_unknown_level_counts_as_free(policy, level):
    assert policy.effective_level(level) == "FREE"


# -- policy 4.1: who may see a ticket --------------------------------------------------------
def test_policy_4_1_the_requester_sees_their_ticket(policy):
    decision = policy.may_see_ticket(OWNER, requester_id=1)
    assert decision and decision.clause == "4.1"


@pytest.mark.parametrize("viewer", [STAFF, ADMIN])
def test_policy_4_1_staff_and_admins_see_every_ticket(policy, viewer):
    assert policy.may_see_ticket(viewer, requester_id=1)


@pytest.mark.parametrize("viewer", [OTHER, RESELLER])
def test_policy_4_1_other_customers_and_resellers_do_not_see_a_ticket(policy, viewer):
    decision = policy.may_see_ticket(viewer, requester_id=1)
    assert not decision and decision.clause == "4.1" and decision.reason


def test_policy_4_4_anonymous_sees_no_ticket(policy):
    assert not policy.may_see_ticket(ANON, requester_id=1)
    # an anonymous visitor carrying an id (a deactivated account) is still anonymous
    assert not policy.may_see_ticket(AccountFacts("anonymous", None, False, user_id=1), requester_id=1)


def test_policy_4_1_facts_without_an_id_see_no_ticket(policy):
    assert not policy.may_see_ticket(AccountFacts("staff", None, True), requester_id=1)


# -- policy 8.5: who may reveal credentials ----------------------------------------------------
@pytest.mark.parametrize("status", ["scheduled", "running"])
def test_policy_8_5_only_the_assigned_agent_reveals_while_the_session_is_active(policy, status):
    session = SessionFacts(status, agent_id=12, agent_name="Ann Agent")
    decision = policy.may_reveal_credentials(AGENT, session, destroyed=False)
    assert decision and decision.clause == "8.5"


@pytest.mark.parametrize("viewer", [STAFF, ADMIN, OWNER])
def test_policy_8_5_other_staff_admins_and_the_requester_never_reveal(policy, viewer):
    decision = policy.may_reveal_credentials(viewer, SCHEDULED, destroyed=False)
    assert not decision and decision.clause == "8.5" and "Ann Agent" in decision.reason


def test_policy_8_5_a_session_without_an_agent_names_nobody(policy):
    decision = policy.may_reveal_credentials(STAFF, SessionFacts("scheduled"), destroyed=False)
    assert not decision and "(nobody)" in decision.reason


@pytest.mark.parametrize("status", ["requested", "ended", "cancelled"])
def test_policy_8_5_nothing_is_revealed_outside_a_scheduled_or_running_session(policy, status):
    session = SessionFacts(status, agent_id=12, agent_name="Ann Agent")
    decision = policy.may_reveal_credentials(AGENT, session, destroyed=False)
    assert not decision and "scheduled or running" in decision.reason


def test_policy_8_5_nothing_is_revealed_without_a_session(policy):
    assert not policy.may_reveal_credentials(AGENT, None, destroyed=False)


def test_policy_8_5_destroyed_credentials_are_never_revealed_even_to_the_agent(policy):
    decision = policy.may_reveal_credentials(AGENT, SCHEDULED, destroyed=True)
    assert not decision and "Destroyed" in decision.reason


def test_policy_8_5_facts_without_an_id_never_reveal(policy):
    assert not policy.may_reveal_credentials(AccountFacts("staff", None, True), SessionFacts("running"), False)


# -- policy 8.5, 8.2: who may submit credentials ------------------------------------------------
def test_policy_8_5_the_requester_submits_credentials_on_an_open_ticket(policy):
    assert policy.may_submit_credentials(OWNER, TicketFacts(requester_id=1, is_open=True))


@pytest.mark.parametrize("submitter", [OTHER, STAFF, ADMIN, ANON])
def test_policy_8_5_only_the_requester_submits_credentials(policy, submitter):
    decision = policy.may_submit_credentials(submitter, TicketFacts(requester_id=1, is_open=True))
    assert not decision and decision.clause == "8.5" and "filed this ticket" in decision.reason


def test_policy_8_5_a_closed_ticket_takes_no_credentials(policy):
    decision = policy.may_submit_credentials(OWNER, TicketFacts(requester_id=1, is_open=False))
    assert not decision and "closed" in decision.reason


@pytest.mark.parametrize("level", ["FREE", "TRIAL"])
def test_policy_8_2_credentials_need_a_remote_support_eligible_account(policy, level):
    decision = policy.may_submit_credentials(AccountFacts("customer", level, True, user_id=1), TicketFacts(1))
    assert not decision and decision.clause == "8.2"


def test_policy_3_3_a_reseller_submits_credentials_on_their_ticket(policy):
    assert policy.may_submit_credentials(RESELLER, TicketFacts(requester_id=3))


def test_policy_4_4_an_unverified_requester_submits_no_credentials(policy):
    decision = policy.may_submit_credentials(AccountFacts("customer", "PRO", False, user_id=1), TicketFacts(1))
    assert not decision and decision.clause == "4.4"


# -- policy 5.3: every recorded bug carries a workaround -----------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_policy_5_3_a_bug_without_a_workaround_is_refused(policy, text):
    decision = policy.may_record_bug(text)
    assert not decision and decision.clause == "5.3" and "workaround" in decision.reason


def test_policy_5_3_a_bug_with_a_workaround_is_recorded(policy):
    decision = policy.may_record_bug("Use the web client until the fix ships.")
    assert decision and decision.clause == "5.3"


def test_policy_account_facts_stay_frozen_and_id_is_optional():
    assert AccountFacts("customer", "PRO", True) == AccountFacts("customer", "PRO", True, user_id=None)
    with pytest.raises(AttributeError):
        OWNER.user_id = 5  # type: ignore[misc]
