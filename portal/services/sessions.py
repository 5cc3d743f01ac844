"""Remote sessions (policy 8.1-8.5): schedule inside support hours (1.5), start, end, reveal credentials."""
import datetime

from portal.services.errors import FieldError, NotFound
from portal.db import UTC, lock_for_update, utcnow, write_tx
from portal.ids import parse_id
from portal.models import Credential, CredentialView, RemoteSession, Ticket, User
from portal.policy import SessionFacts
from portal.services import audit, credentials, get_policy
from portal.services.access import account_facts
from portal.services.session_rows import ACTIVE, LIVE, live_session, newest, sessions_of  # noqa: F401 (callers use sessions.*)
from portal.services.session_rows import with_agent as _with_agent

DEFAULT_TOOL = "Remote Utilities"  # policy 8.3
OTHER_TOOL = "other"  # the choice that names another tool (policy 8.4)
TOOL_CHOICES = (DEFAULT_TOOL, OTHER_TOOL)
MAX_TOOL = RemoteSession.tool.max_length
CHOOSE_AGENT = "Choose a staff member as the agent."
BAD_START = "Give the start as a date and a time (Pacific time)."
# a start beyond this is a typing slip, and dates near year 9999 overflow when moved to UTC
MAX_AHEAD = datetime.timedelta(days=366)


def parse_start(local_day, local_time, at=None, policy=None):
    """A local Pacific date and time (a date and a time) as an aware UTC moment, refused when either is
    missing, outside support hours or in the past (1.5)."""
    policy, now = policy or get_policy(), at or utcnow()
    if not isinstance(local_day, datetime.date) or not isinstance(local_time, datetime.time):
        raise FieldError("starts_on", BAD_START)
    today = policy.local_date(now)
    if local_day > today + MAX_AHEAD:
        raise FieldError("starts_on",
                         f"Choose a start within a year from today (before {today + MAX_AHEAD:%Y-%m-%d}).")
    # the wall time in the policy's zone (an offset typed with it is ignored); one that does not
    # exist (DST gap) is normalised through UTC
    start = datetime.datetime.combine(local_day, local_time.replace(tzinfo=None), tzinfo=policy.zone).astimezone(UTC)
    if not policy.clock.is_open(start):
        nxt = policy.clock.next_opening(start)
        raise FieldError("starts_on", f"Sessions start inside support hours only: {policy.hours_text()} "
                         f"(policy 1.5). The next opening is {policy.time_text(nxt)}.")
    if start <= now:
        raise FieldError("starts_on", "That start time is in the past.")
    return start


def parse_tool(choice, other):
    """The tool: Remote Utilities, or (any other choice) another tool named by staff (policy 8.3, 8.4)."""
    if (choice or DEFAULT_TOOL) == DEFAULT_TOOL:
        return DEFAULT_TOOL
    name = (other or "").strip()
    if not name:
        raise FieldError("other_tool", "Name the other remote-control tool (policy 8.4).")
    if len(name) > MAX_TOOL:
        raise FieldError("other_tool", f"Keep the tool name under {MAX_TOOL} characters.")
    return name


def eligibility(ticket):
    """May this ticket's requester have a remote session? (policy 8.2, 3.3)"""
    return get_policy().may_request_remote(account_facts(ticket.requester))


def _agent(agent_id):
    agent_id = parse_id(agent_id)
    agent = User.get_or_none(User.id == agent_id) if agent_id else None
    if agent is None or not agent.is_staff or not agent.is_active:
        raise FieldError("agent", CHOOSE_AGENT)
    return agent


def schedule(ticket_id, actor, agent_id, local_day, local_time, tool=DEFAULT_TOOL, other_tool=""):
    """Schedule a session on an eligible open ticket with the agent `agent_id`, starting at a
    Pacific date and time (policy 1.5) with `tool` (TOOL_CHOICES; OTHER_TOOL names `other_tool`);
    attaches the ticket's pending credentials."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("That ticket")
    decision = eligibility(ticket)
    if not decision:
        raise FieldError("session", f"Not eligible: {decision.reason} (policy {decision.clause}).")
    if not ticket.is_open:
        raise FieldError("session", "The ticket is closed; reopen it before scheduling a session.")
    agent = _agent(agent_id)
    starts_at = parse_start(local_day, local_time)
    tool = parse_tool(tool, other_tool)
    with write_tx():
        # the ticket row is the lock: two agents scheduling at once take turns (PostgreSQL; SQLite's
        # IMMEDIATE transaction already does), so the second one sees the first one's session
        ticket = lock_for_update(Ticket.select().where(Ticket.id == ticket.id)).first()
        if not ticket.is_open:
            raise FieldError("session", "The ticket is closed; reopen it before scheduling a session.")
        if live_session(ticket, ACTIVE) is not None:
            raise FieldError("session", "This ticket already has a scheduled session; end or cancel it first.")
        session = live_session(ticket, ("requested",)) or RemoteSession(ticket=ticket, requested_by=actor)
        session.agent, session.starts_at, session.tool, session.status = agent, starts_at, tool, "scheduled"
        session.save()
        _attach_pending(ticket, session)
        audit.record(actor, "session.schedule", "remote_session", session.id,
                     f"ticket {ticket.id}; agent {agent.email}; {get_policy().time_text(starts_at)}; tool {tool}")
    return session


def _attach_pending(ticket, session):
    (Credential.update(session=session)
     .where((Credential.ticket == ticket) & Credential.session.is_null()
            & Credential.ciphertext.is_null(False))
     .execute())


VERBS = {"running": ("start", "started"), "ended": ("end", "ended"), "cancelled": ("cancel", "cancelled")}


def _move(session_id, actor, to, allowed):
    with write_tx():
        session = RemoteSession.get_or_none(RemoteSession.id == session_id)
        if session is None:
            raise NotFound("That session")
        changes = {RemoteSession.status: to}
        if to in ("ended", "cancelled"):
            changes[RemoteSession.ended_at] = utcnow()
        done = (RemoteSession.update(changes)
                .where((RemoteSession.id == session.id) & RemoteSession.status.in_(allowed))
                .execute())
        verb, past = VERBS[to]
        if not done:
            raise FieldError("session", f"The session is {session.status}; it cannot be {past}.")
        if to in ("ended", "cancelled"):
            _destroy(session)
        audit.record(actor, f"session.{verb}", "remote_session", session.id, f"ticket {session.ticket_id}")
    return RemoteSession.get_by_id(session.id)


def _destroy(session):
    """policy 8.5: ending the session destroys its credentials (and any still unattached)."""
    _attach_pending(session.ticket, session)
    credentials.destroy_for_session(session)


def start(session_id, actor):
    """Mark a scheduled session as running."""
    return _move(session_id, actor, "running", ("scheduled",))


def end(session_id, actor):
    """End a scheduled or running session; its credentials are destroyed (policy 8.5)."""
    return _move(session_id, actor, "ended", ACTIVE)


def cancel(session_id, actor):
    """Cancel a requested or scheduled session; its credentials are destroyed too."""
    return _move(session_id, actor, "cancelled", ("requested", "scheduled"))


def may_reveal(credential, viewer, session):
    """Only the session's agent, while it is scheduled or running, sees credentials (policy 8.5).

    `session` is the credential's own session, else the ticket's active one (None without either).
    """
    facts = None
    if session is not None:
        # the agent is joined by every caller (live_session, sessions_of, reveal): no extra query
        agent = session.agent if session.agent_id else None
        facts = SessionFacts(session.status, session.agent_id, agent.name if agent else None)
    viewer_facts = account_facts(viewer)
    return get_policy().may_reveal_credentials(viewer_facts, facts, credential.ciphertext is None)


def reveal(credential_id, viewer):
    """Decrypt one credential for its session's agent, logging the view; (decision, values)."""
    with write_tx():
        credential = Credential.get_or_none(Credential.id == credential_id)
        if credential is None:
            raise NotFound("That credential")
        session = (_with_agent(RemoteSession.id == credential.session_id).first() if credential.session_id
                   else live_session(credential.ticket_id, ACTIVE))
        decision = may_reveal(credential, viewer, session)
        if not decision:
            return decision, None
        if credential.session_id is None:
            Credential.update(session=session).where(Credential.id == credential.id).execute()
        values = credentials.reveal(credential, viewer)
        audit.record(viewer, "credential.view", "credential", credential.id,
                     f"ticket {credential.ticket_id}; session {session.id}")
    return decision, values


def credential_rows(ticket, viewer, known_sessions=None):
    """Credential metadata for the staff panel: no values, just who, when, views and access.

    Two queries however many credentials and views (three without `known_sessions`, sessions_of's list).
    """
    known = sessions_of(ticket) if known_sessions is None else known_sessions
    by_id, active = {s.id: s for s in known}, newest(known, ACTIVE)
    creds = list(Credential.select().where(Credential.ticket == ticket).order_by(Credential.id))
    views = {c.id: [] for c in creds}
    if creds:
        query = (CredentialView.select(CredentialView, User)
                 .join(User, on=(CredentialView.viewer == User.id), attr="viewer")
                 .where(CredentialView.credential.in_(list(views)))
                 .order_by(CredentialView.id.desc()))
        for view in query:
            views[view.credential_id].append(view)
    return [{"credential": c, "views": views[c.id],
             "decision": may_reveal(c, viewer, by_id.get(c.session_id) if c.session_id else active)}
            for c in creds]
