"""The product's readings of the policy where it is silent ("Decision" lines), as switches."""
from __future__ import annotations

from dataclasses import dataclass

ACCEPTANCE_MODES = ("each_version", "once", "off")


@dataclass(frozen=True)
class Decisions:
    """Defaults follow docs/support-policy.md; an operator may change them in the policy file."""
    policy_acceptance: str = "each_version"   # policy 1.2 (asked again when the version changes, 1.4)
    suggest_similar_threads: bool = True      # policy 1.3
    reprioritise_on_upgrade: bool = True      # policy 2.2
    flag_non_english: bool = True             # policy 4.2
    recognise_only_verified: bool = True      # policy 4.5
    forum_secret_guard: bool = True           # policy 8.6
    ticket_secret_guard: bool = True          # policy 8.5: credentials only in their encrypted form


def parse_decisions(table: dict, fail) -> Decisions:
    """Validate the [decisions] table (every key optional); `fail(key, reason)` raises."""
    known = Decisions.__dataclass_fields__
    for key in sorted(set(table) - set(known)):
        fail(f"decisions.{key}", "unknown key")
    values = {}
    for key, value in table.items():
        if key == "policy_acceptance":
            if value not in ACCEPTANCE_MODES:
                fail("decisions.policy_acceptance", f"must be one of {', '.join(ACCEPTANCE_MODES)}")
        elif type(value) is not bool:
            fail(f"decisions.{key}", "must be true or false")
        values[key] = value
    return Decisions(**values)
