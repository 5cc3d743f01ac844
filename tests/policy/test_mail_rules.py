"""The [mail] table: what mail to the support address gets (policy 4.3 Decisions)."""
import tomllib

import pytest

from portal.policy import DEFAULT_PATH, PolicyError, parse_policy


def _policy(mail=None):
    data = tomllib.loads(DEFAULT_PATH.read_text())
    if mail is None:
        data.pop("mail", None)
    else:
        data["mail"] = mail
    return parse_policy(data)


def test_policy_4_3_defaults(policy):
    rules = policy.mail
    assert (rules.reply_to_solved, rules.reply_to_closed, rules.unknown_mail) == (
        "reopen", "answer_new_ticket", "auto_answer")
    assert rules.auto_answer_every_hours == 24
    assert _policy().mail == rules  # the file's values are the code's defaults; every key optional


def test_policy_4_3_the_file_switches_the_decisions():
    rules = _policy({"reply_to_solved": "answer_new_ticket", "reply_to_closed": "ignore",
                     "unknown_mail": "ignore", "auto_answer_every_hours": 2}).mail
    assert (rules.reply_to_solved, rules.reply_to_closed, rules.unknown_mail, rules.auto_answer_every_hours) == (
        "answer_new_ticket", "ignore", "ignore", 2)


@pytest.mark.parametrize("table, message", [
    ({"reply_to_solved": "ignore"}, "mail.reply_to_solved: must be one of reopen, answer_new_ticket"),
    ({"reply_to_closed": "reopen"}, "mail.reply_to_closed: must be one of answer_new_ticket, ignore"),
    ({"unknown_mail": True}, "mail.unknown_mail: must be one of auto_answer, ignore"),
    ({"auto_answer_every_hours": 0}, "mail.auto_answer_every_hours: must be a whole number"),
    ({"auto_answer_every_hours": 1.5}, "mail.auto_answer_every_hours: must be a whole number"),
    ({"forward_to": "x@y"}, "mail.forward_to: unknown key"),
])
def test_policy_4_3_bad_mail_values_name_key_and_reason(table, message):
    with pytest.raises(PolicyError, match=f"^{message}"):
        _policy(table)
