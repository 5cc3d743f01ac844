"""Mail that arrives at the support address (policy 4.3 Decisions, the `[mail]` table).

Policy 4.3: support by direct email is not guaranteed; replies to ticket mails are part of the
ticket system, and mail that belongs to no ticket gets one polite automatic answer that points to
the portal. What a reply does to a solved or closed ticket is our reading (docs/policy.md).
"""
from __future__ import annotations

from dataclasses import dataclass

REPLY_TO_SOLVED = ("reopen", "answer_new_ticket")   # reopen it, or answer as for a closed ticket
REPLY_TO_CLOSED = ("answer_new_ticket", "ignore")   # answer with a link to file a new one, or drop
UNKNOWN_MAIL = ("auto_answer", "ignore")            # one polite answer pointing to the portal, or drop


@dataclass(frozen=True)
class MailRules:
    """The `[mail]` table; the defaults are the Decisions of docs/policy.md (policy 4.3)."""
    reply_to_solved: str = "reopen"
    reply_to_closed: str = "answer_new_ticket"
    unknown_mail: str = "auto_answer"
    auto_answer_every_hours: int = 24   # at most one automatic answer per sender in this many hours


def parse_mail(table: dict, fail) -> MailRules:
    """Validate the [mail] table (every key optional); `fail(key, reason)` raises."""
    choices = {"reply_to_solved": REPLY_TO_SOLVED, "reply_to_closed": REPLY_TO_CLOSED,
               "unknown_mail": UNKNOWN_MAIL}
    for key in sorted(set(table) - set(MailRules.__dataclass_fields__)):
        fail(f"mail.{key}", "unknown key")
    for key, value in table.items():
        if key == "auto_answer_every_hours":
            if type(value) is not int or not 1 <= value <= 24 * 30:
                fail("mail.auto_answer_every_hours", "must be a whole number of hours from 1 to 720")
        elif value not in choices[key]:
            fail(f"mail.{key}", f"must be one of {', '.join(choices[key])}")
    return MailRules(**table)
