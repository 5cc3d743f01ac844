"""What support covers and does not (policy 5, 6) and the English-only reply (4.2)."""
from __future__ import annotations

from portal.policy import ScopeClass


def test_policy_5_1_topics(policy):
    topics = " ".join(policy.scope.topics).lower()
    for word in ("install", "configur", "using", "known issues", "bugs"):
        assert word in topics


def test_policy_5_2_5_3_commitments(policy):
    text = " ".join(policy.scope.commitments)
    assert "(5.2)" in text and "workaround" in text


def test_policy_6_out_of_scope_classes_with_replies(policy):
    assert policy.scope.codes() == ("6.1", "6.2", "6.3", "6.4")
    for item in policy.scope.out_of_scope:
        assert isinstance(item, ScopeClass)
        assert item.title and f"policy {item.code}" in item.reply


def test_policy_6_2_lookup(policy):
    item = policy.scope.get("6.2")
    assert item.title == "Hardware and third-party software" and "vendor" in item.reply
    assert policy.scope.get("9.9") is None


def test_policy_6_4_antivirus_reply(policy):
    assert "antivirus vendor" in policy.scope.get("6.4").reply


def test_policy_4_2_english_only_reply(policy):
    reply = policy.english_only_reply
    assert "English only" in reply and "4.2" in reply and "guarantee" in reply
