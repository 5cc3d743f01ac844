"""Who may see a ticket and its credentials, bug records, and the level fallback (policy 2.1, 4.1, 5.3, 8.2, 8.5)."""
from __future__ import annotations

from dataclasses import dataclass

from .eligibility import STAFF_ROLES, AccountFacts, Decision, may_request_remote
from .levels import LEVELS

# policy 8.5 Decision: credentials are shown only while their session is scheduled or running
REVEAL_STATUSES: tuple[str, ...] = ("scheduled", "running")


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as the policy sees it: who filed it and whether it is still open."""

    requester_id: int
    is_open: bool = True


@dataclass(frozen=True)
class SessionFacts:
    """A remote session as the policy sees it: its status and assigned agent (None: nobody yet)."""

    status: str
    agent_id: int | None = None
    agent_name: str | None = None


def effective_level(level: str | None) -> str:
    """The level a request is filed at: an account without a known level counts as FREE (policy 2.1)."""
    return level if level in LEVELS else "FREE"


def may_see_ticket(viewer: AccountFacts, requester_id: int) -> Decision:
    """May this account see a ticket? Its requester and staff may; nobody else (policy 4.1, 8.5)."""
    if viewer.role == "anonymous" or viewer.user_id is None:
        return Decision(False, "4.4", "Sign in to see your tickets.")
    if viewer.user_id == requester_id:
        return Decision(True, "4.1", "You filed this ticket.")
    if viewer.role in STAFF_ROLES:
        return Decision(True, "4.1", "Staff see every ticket.")
    return Decision(False, "4.1", "Only the person who filed a ticket and support staff may see it.")


def may_reveal_credentials(viewer: AccountFacts, session: SessionFacts | None, destroyed: bool) -> Decision:
    """Only the session's assigned agent, while it is scheduled or running, sees credentials (policy 8.5).

    `session` is the credential's own session, else the ticket's active one (None without either).
    """
    if destroyed:
        return Decision(False, "8.5", "Destroyed when the session ended.")
    if session is None or session.status not in REVEAL_STATUSES:
        return Decision(False, "8.5", "Hidden: shown only while a session is scheduled or running.")
    if viewer.user_id is None or session.agent_id != viewer.user_id:
        name = session.agent_name or "nobody"
        return Decision(False, "8.5", f"Hidden: only the session's assigned agent ({name}) may see them.")
    return Decision(True, "8.5", "You are the assigned agent of this session.")


def may_submit_credentials(submitter: AccountFacts, ticket: TicketFacts, remote_levels: tuple[str, ...]) -> Decision:
    """Credentials come from the ticket's requester, on an open ticket, eligible for remote support (policy 8.5, 8.2)."""
    if submitter.user_id is None or submitter.user_id != ticket.requester_id:
        return Decision(False, "8.5", "Only the person who filed this ticket can send credentials for it.")
    if not ticket.is_open:
        return Decision(False, "8.5", "This ticket is closed; credentials are no longer accepted.")
    return may_request_remote(submitter, remote_levels)


def may_record_bug(workaround: str) -> Decision:
    """A bug is recorded only with at least one workaround or alternative (policy 5.3)."""
    if not (workaround or "").strip():
        return Decision(False, "5.3", "Recommend at least one workaround or alternative")
    return Decision(True, "5.3", "A workaround or alternative is recommended.")
