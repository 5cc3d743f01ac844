"""Remote sessions (policy 8.1-8.5): schedule and reschedule inside support hours (1.5) without
booking an agent twice, start, end, cancel, reveal credentials (the requester's answer:
session_answers)."""
import datetime

from portal.services.errors import FieldError, NotFound
from portal import prepared
from portal.db import UTC, is_sqlite, lock_for_update, utcnow, write_tx
from portal.ids import parse_id
from portal.models import Credential, CredentialView, RemoteSession, Ticket, User
from portal.policy import SessionFacts, date_text
from portal.services import audit, credentials, get_policy, session_mail
from portal.services.access import account_facts
from portal.services.session_rows import ACTIVE, LIVE, live_session, newest, sessions_of  # noqa: F401 (callers use sessions.*)
from portal.services.session_rows import with_agent as _with_agent

DEFAULT_TOOL = "Remote Utilities"  # policy 8.3
OTHER_TOOL = "other"  # the choice that names another tool (policy 8.4)
TOOL_CHOICES = (DEFAULT_TOOL, OTHER_TOOL)
MAX_TOOL = RemoteSession.tool.max_length
DURATION_CHOICES = (15, 30, 45, 60, 90, 120)  # minutes, the form's choices of a session's length
DEFAULT_DURATION = 30
BAD_DURATION = "Choose the session's length from the list."
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


def parse_span(local_day, local_time, minutes, at=None, policy=None):
    """A start (parse_start) and a length in minutes whose whole span lies inside support hours:
    (start, end) in UTC, refused when the session would run past closing (policy 1.5, 8.1)."""
    policy = policy or get_policy()
    if minutes not in DURATION_CHOICES:
        raise FieldError("duration_minutes", BAD_DURATION)
    start = parse_start(local_day, local_time, at, policy)
    end = start + datetime.timedelta(minutes=minutes)
    if not policy.clock.holds(start, end):
        closes = policy.clock.closes_at(start)
        latest = closes - datetime.timedelta(minutes=minutes)
        raise FieldError("duration_minutes", f"A {minutes}-minute session starting then would end at "
                         f"{end.astimezone(policy.zone):%H:%M} {policy.zone_label}, after support hours close at "
                         f"{closes:%H:%M} {policy.zone_label} (policy 1.5). Start by {latest:%H:%M} or choose a shorter length.")
    return start, end


def clash_text(session, policy=None):
    """How a clash is named: 'Ana has #12 at 10:00–10:30 PT on Tue 18 Mar 2031'."""
    policy = policy or get_policy()
    start, end = session.starts_at.astimezone(policy.zone), session.ends_at.astimezone(policy.zone)
    return (f"{session.agent.name} has #{session.ticket_id} at {start:%H:%M}–{end:%H:%M} {policy.zone_label} "
            f"on {date_text(start.date())}")


def _lock_agent(agent_id):
    """Hold the agent's row until the transaction ends, so two schedulers booking one agent take
    turns: FOR NO KEY UPDATE on PostgreSQL (it does not block rows that merely refer to the agent);
    SQLite's IMMEDIATE transaction already serialises every writer."""
    query = User.select().where(User.id == agent_id)
    agent = (query if is_sqlite() else query.for_update("FOR NO KEY UPDATE")).first()
    if agent is None or not agent.is_staff or not agent.is_active:
        raise FieldError("agent", CHOOSE_AGENT)
    return agent


def overlapping(agent, start, end, but=None):
    """The agent's scheduled or running sessions overlapping start..end (but the session `but`),
    earliest first. The index on (agent, starts_at) bounds the search: no session is longer than
    the longest choice."""
    earliest = start - datetime.timedelta(minutes=max(DURATION_CHOICES))
    query = (RemoteSession.select().where((RemoteSession.agent == agent) & RemoteSession.status.in_(ACTIVE)
                                          & (RemoteSession.starts_at < end) & (RemoteSession.starts_at > earliest))
             .order_by(RemoteSession.starts_at))
    if but is not None:
        query = query.where(RemoteSession.id != but)
    found = [s for s in query if s.ends_at > start]
    for s in found:
        s.agent = agent
    return found


def _book(agent_id, start, end, but=None):
    """Lock the agent and refuse a clash with their other sessions (policy 8.1: one agent, one session)."""
    agent = _lock_agent(agent_id)
    clash = overlapping(agent, start, end, but)
    if clash:
        raise FieldError("starts_on", f"{clash_text(clash[0])}; choose another time or another agent.")
    return agent


def schedule(ticket_id, actor, agent_id, local_day, local_time, tool=DEFAULT_TOOL, other_tool="",
             duration_minutes=DEFAULT_DURATION):
    """Schedule a session on an eligible open ticket with the agent `agent_id`, starting at a
    Pacific date and time for `duration_minutes` (DURATION_CHOICES), all inside support hours
    (policy 1.5), with `tool` (TOOL_CHOICES; OTHER_TOOL names `other_tool`); the agent must be free
    then. Attaches the ticket's pending credentials; mails the invitation (iCalendar REQUEST)."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("That ticket")
    decision = eligibility(ticket)
    if not decision:
        raise FieldError("session", f"Not eligible: {decision.reason} (policy {decision.clause}).")
    if not ticket.is_open:
        raise FieldError("session", "The ticket is closed; reopen it before scheduling a session.")
    agent = _agent(agent_id)
    starts_at, ends_at = parse_span(local_day, local_time, duration_minutes)
    tool = parse_tool(tool, other_tool)
    with write_tx():
        # the ticket row is the lock: two agents scheduling at once take turns (PostgreSQL; SQLite's
        # IMMEDIATE transaction already does), so the second one sees the first one's session;
        # then the agent's row, so nobody books the same agent for the same time meanwhile
        ticket = lock_for_update(Ticket.select().where(Ticket.id == ticket.id)).first()
        if not ticket.is_open:
            raise FieldError("session", "The ticket is closed; reopen it before scheduling a session.")
        if live_session(ticket, ACTIVE) is not None:
            raise FieldError("session", "This ticket already has a scheduled session; end or cancel it first.")
        agent = _book(agent.id, starts_at, ends_at)
        session = live_session(ticket, ("requested",)) or RemoteSession(ticket=ticket, requested_by=actor)
        session.agent, session.starts_at, session.tool, session.status = agent, starts_at, tool, "scheduled"
        session.duration_minutes = duration_minutes
        session.save()
        _attach_pending(ticket, session)
        audit.record(actor, "session.schedule", "remote_session", session.id,
                     f"ticket {ticket.id}; agent {agent.email}; {get_policy().time_text(starts_at)}; "
                     f"{duration_minutes} min; tool {tool}")
        session.ticket = ticket
        session_mail.invite(session)  # in the transaction: the outbox row commits with the session
    return session


def reschedule(session_id, actor, agent_id, local_day, local_time, duration_minutes=DEFAULT_DURATION):
    """Move a scheduled session to a new start, length and agent under the same rules as scheduling;
    the SEQUENCE rises, the requester's confirmation is cleared, and a new invitation goes out."""
    session = RemoteSession.get_or_none(RemoteSession.id == session_id)
    if session is None:
        raise NotFound("That session")
    agent = _agent(agent_id)
    starts_at, ends_at = parse_span(local_day, local_time, duration_minutes)
    with write_tx():
        # the same order of locks as schedule (ticket, then agent), so the two never deadlock
        lock_for_update(Ticket.select().where(Ticket.id == session.ticket_id)).first()
        agent = _book(agent.id, starts_at, ends_at, but=session.id)
        done = (RemoteSession.update(agent=agent, starts_at=starts_at, duration_minutes=duration_minutes,
                                     sequence=RemoteSession.sequence + 1, confirmed_at=None,
                                     change_requested_at=None, change_note="")
                .where((RemoteSession.id == session.id) & (RemoteSession.status == "scheduled"))
                .execute())
        if not done:
            raise FieldError("session", f"The session is {RemoteSession.get_by_id(session.id).status}; "
                             "only a scheduled session can be rescheduled.")
        audit.record(actor, "session.reschedule", "remote_session", session.id,
                     f"ticket {session.ticket_id}; agent {agent.email}; {get_policy().time_text(starts_at)}; "
                     f"{duration_minutes} min")
        session = _with_agent(RemoteSession.id == session.id).first()
        session_mail.invite(session)
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
        if to == "cancelled":  # the calendar's CANCEL must outrank every REQUEST sent before
            changes[RemoteSession.sequence] = RemoteSession.sequence + 1
        done = (RemoteSession.update(changes)
                .where((RemoteSession.id == session.id) & RemoteSession.status.in_(allowed))
                .execute())
        verb, past = VERBS[to]
        if not done:
            raise FieldError("session", f"The session is {session.status}; it cannot be {past}.")
        if to in ("ended", "cancelled"):
            _destroy(session)
        audit.record(actor, f"session.{verb}", "remote_session", session.id, f"ticket {session.ticket_id}")
        moved = _with_agent(RemoteSession.id == session.id).first()
        if to == "cancelled" and moved.starts_at is not None:  # an invitation went out: withdraw it
            session_mail.cancelled(moved)
    return moved


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


def _credentials(ticket_id):
    return Credential.select().where(Credential.ticket == ticket_id).order_by(Credential.id)


def _views(ticket_id):
    """Every view of the ticket's credentials with its viewer, newest first (one SQL text, where
    a list of the credentials' ids would make one per length)."""
    return (CredentialView.select(CredentialView, User.id, User.email, User.display_name, User.role)  # the name
            .join(User, on=(CredentialView.viewer == User.id), attr="viewer")
            .join_from(CredentialView, Credential, on=(CredentialView.credential == Credential.id))
            .where(Credential.ticket == ticket_id)
            .order_by(CredentialView.id.desc()))


def credential_rows(ticket, viewer, known_sessions=None):
    """Credential metadata for the staff panel: no values, just who, when, views and access.

    Two queries however many credentials and views (three without `known_sessions`, sessions_of's list).
    """
    known = sessions_of(ticket) if known_sessions is None else known_sessions
    by_id, active = {s.id: s for s in known}, newest(known, ACTIVE)
    ticket_id = getattr(ticket, "id", ticket)
    creds = prepared.rows("credentials of a ticket", _credentials, ticket_id)
    views = {c.id: [] for c in creds}
    if creds:
        for view in prepared.rows("credential views of a ticket", _views, ticket_id):
            views[view.credential_id].append(view)
    return [{"credential": c, "views": views[c.id],
             "decision": may_reveal(c, viewer, by_id.get(c.session_id) if c.session_id else active)}
            for c in creds]
