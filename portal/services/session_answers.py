"""The requester's answer to a scheduled remote session (policy 8.1): confirm the time as they saw
it, or ask for another one saying which suit them; staff see it in the panel and the calendar."""
from portal.db import utcnow, write_tx
from portal.services import audit, get_policy
from portal.services.errors import FieldError, NotFound
from portal.services.session_rows import live_session
from portal.models import RemoteSession

MAX_NOTE = 500
CHANGED = "The session was changed meanwhile; check the new time and answer again."


def _requester_session(ticket, user, sequence):
    """The ticket's scheduled session as its requester saw it (`sequence`), for confirming or asking
    for another time; NotFound for anyone but the requester."""
    if ticket.requester_id != user.id:
        raise NotFound("That session")
    session = live_session(ticket, ("scheduled",))
    if session is None:
        raise FieldError("session", "There is no scheduled session to answer.")
    if session.sequence != sequence:
        raise FieldError("session", CHANGED)
    return session


def confirm(ticket, user, sequence):
    """The requester confirms the session's time as they saw it (`sequence`, policy 8.1)."""
    session = _requester_session(ticket, user, sequence)
    with write_tx():
        done = (RemoteSession.update(confirmed_at=utcnow(), change_requested_at=None, change_note="")
                .where((RemoteSession.id == session.id) & (RemoteSession.status == "scheduled")
                       & (RemoteSession.sequence == sequence)).execute())
        if not done:
            raise FieldError("session", CHANGED)
        audit.record(user, "session.confirm", "remote_session", session.id, f"ticket {ticket.id}")
    return RemoteSession.get_by_id(session.id)


def check_note(note):
    """The requester's wish for another time: required, short, and no credentials (policy 8.5)."""
    note = (note or "").strip()
    if not note:
        raise FieldError("note", "Say which times suit you.")
    if len(note) > MAX_NOTE:
        raise FieldError("note", f"Keep it under {MAX_NOTE} characters.")
    if get_policy().find_secrets(note, channel="ticket").found:
        raise FieldError("note", "This looks like a password or other credentials; send those only with the "
                         "credentials form (policy 8.5).")
    return note


def ask_another_time(ticket, user, sequence, note):
    """The requester asks for another time, saying which suit them; staff see it in the panel and calendar."""
    note = check_note(note)
    session = _requester_session(ticket, user, sequence)
    with write_tx():
        done = (RemoteSession.update(change_requested_at=utcnow(), change_note=note, confirmed_at=None)
                .where((RemoteSession.id == session.id) & (RemoteSession.status == "scheduled")
                       & (RemoteSession.sequence == sequence)).execute())
        if not done:
            raise FieldError("session", CHANGED)
        audit.record(user, "session.change_request", "remote_session", session.id, f"ticket {ticket.id}")
    return RemoteSession.get_by_id(session.id)
