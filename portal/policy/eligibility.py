"""Who may use which channel and ask for remote support (policy 2.1, 3.2, 3.3, 4.1, 4.4, 8.2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

ROLES = ("anonymous", "customer", "reseller", "staff", "admin")
STAFF_ROLES = ("staff", "admin")


@dataclass(frozen=True)
class AccountFacts:
    """Who is asking: role, resolved support level (None: no level yet), whether the email is verified,
    and the account's id (None: anonymous, or not needed by the rule asked)."""

    role: str
    level: str | None = None
    verified: bool = False
    user_id: int | None = None


@dataclass(frozen=True)
class Decision:
    """An answer with the clause behind it and a reason a person can read; truthy when allowed."""

    allowed: bool
    clause: str
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


Channels = Callable[[str], tuple]


def _check(acct: AccountFacts) -> None:
    if acct.role not in ROLES:
        raise ValueError(f"unknown role {acct.role!r}; allowed: {', '.join(ROLES)}")


def _level(acct: AccountFacts) -> str:
    # A reseller account's channels are the reseller row (policy 3.2), whatever its license.
    if acct.role == "reseller":
        return "RESELLER"
    return acct.level or "FREE"


def _unverified(action: str) -> Decision:
    return Decision(False, "4.4", f"Verify your email address first; {action} needs a verified account.")


def _by_role(acct: AccountFacts, anonymous: Decision, staff: Decision) -> Decision | None:
    """The answer for anonymous visitors and staff, who every rule below treats apart; None otherwise."""
    _check(acct)
    if acct.role == "anonymous":
        return anonymous
    if acct.role in STAFF_ROLES:
        return staff
    return None


def may_open_ticket(acct: AccountFacts, channels: Channels) -> Decision:
    """May this account file a ticket? (policy 4.4, 2.1, 3.2)"""
    early = _by_role(acct, anonymous=Decision(False, "4.4", "Sign in or register (free) to file a ticket."),
                     staff=Decision(True, "4.1", "Staff may file tickets on a user's behalf."))
    if early is not None:
        return early
    if not acct.verified:
        return _unverified("filing a ticket")
    level = _level(acct)
    if "ticket" in channels(level) or (acct.role == "reseller" and "ticket" in channels(acct.level or "RESELLER")):
        clause = "3.2" if acct.role == "reseller" else "2.1"
        return Decision(True, clause, f"{level} accounts may file tickets.")
    return Decision(False, "2.1", f"{level} support is given in the community forum only.")


def may_see_forum(acct: AccountFacts, channels: Channels) -> Decision:
    """May this account see the community forum at all? (policy 4.1, 3.2 Decision)"""
    early = _by_role(acct, anonymous=Decision(True, "4.1", "The community forum is public to read."),
                     staff=Decision(True, "4.1", "Staff see the community forum."))
    if early is not None:
        return early
    if acct.role == "reseller":  # policy 3.2 is a rule, whatever channels.RESELLER says (the loader refuses it)
        return Decision(False, "3.2", "Reseller support is given only through the ticket system (Partner Area).")
    level = _level(acct)
    if "forum" in channels(level):
        return Decision(True, "4.1", "The community forum is open to you.")
    return Decision(False, "2.1", f"{level} support is given through tickets only.")


def may_post_forum(acct: AccountFacts, channels: Channels) -> Decision:
    """May this account post in the community forum? (policy 4.4, 3.2, 2.1)"""
    early = _by_role(acct, anonymous=Decision(False, "4.4", "Sign in or register (free) to post in the forum."),
                     staff=Decision(True, "4.1", "Staff may post in the community forum."))
    if early is not None:
        return early
    if acct.role == "reseller":  # policy 3.2: never, not even when a channel list would allow it
        return Decision(False, "3.2", "Reseller accounts cannot post in the community forum; please file a ticket.")
    seen = may_see_forum(acct, channels)
    if not seen:
        return seen
    if not acct.verified:
        return _unverified("posting in the forum")
    return Decision(True, "4.1", "You may post in the community forum.")


def may_request_remote(acct: AccountFacts, remote_levels: tuple[str, ...]) -> Decision:
    """May this account ask for a remote support session? (policy 8.2, 3.3)"""
    early = _by_role(acct, anonymous=Decision(False, "4.4", "Sign in to ask for remote support."),
                     staff=Decision(False, "8.2", "Remote support is requested by customers and resellers, not staff."))
    if early is not None:
        return early
    if not acct.verified:
        return _unverified("remote support")
    if acct.role == "reseller" and "RESELLER" in remote_levels:
        return Decision(True, "3.3", "Resellers are eligible for remote support.")
    level = _level(acct)
    if level in remote_levels:
        return Decision(True, "8.2", f"{level} is a commercial license: remote support is available.")
    return Decision(False, "8.2", f"Remote support is only for commercial licenses and resellers; {level} is not one.")
