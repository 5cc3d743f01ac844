"""Remote session use cases: request, schedule, start, end, cancel (policy 8.1-8.5)."""
import pytest

from portal.models import AuditLog, RemoteSession
from portal.services import credentials, sessions, tickets
from tests.services.test_transitions import _tuesday


def _form(agent, **extra):
    return {"agent": str(agent.id), "starts_on": _tuesday(), "starts_time": "10:00"} | extra


def test_a_request_is_scheduled_in_place(ticket, customer, agent):
    requested = tickets.request_remote(ticket, customer)
    scheduled = sessions.schedule(ticket.id, agent, _form(agent))
    assert scheduled.id == requested.id
    stored = RemoteSession.get_by_id(scheduled.id)
    assert (stored.status, stored.agent_id, stored.tool) == ("scheduled", agent.id, "Remote Utilities")
    assert AuditLog.get(AuditLog.action == "session.schedule").object_id == str(stored.id)


def test_a_start_outside_support_hours_is_refused(ticket, agent):
    with pytest.raises(sessions.SessionError) as refused:  # policy 1.5
        sessions.schedule(ticket.id, agent, _form(agent, starts_time="03:00"))
    assert refused.value.field == "starts_on" and RemoteSession.select().count() == 0


def test_another_tool_needs_a_name(ticket, agent):
    with pytest.raises(sessions.SessionError) as refused:  # policy 8.4
        sessions.schedule(ticket.id, agent, _form(agent, tool="other", other_tool=""))
    assert refused.value.field == "other_tool"


def test_start_then_end_destroys_the_credentials(ticket, customer, agent):
    session = sessions.schedule(ticket.id, agent, _form(agent))
    credential = credentials.store_credentials(ticket, customer, "ID-111", "s3cret-Pa55", "")
    assert sessions.start(session.id, agent).status == "running"
    ended = sessions.end(session.id, agent)
    assert ended.status == "ended" and ended.ended_at is not None
    assert type(credential).get_by_id(credential.id).ciphertext is None  # policy 8.5


def test_cancel_a_scheduled_session(ticket, agent):
    session = sessions.schedule(ticket.id, agent, _form(agent))
    assert sessions.cancel(session.id, agent).status == "cancelled"
    assert sessions.live_session(ticket) is None


def test_an_unknown_session_is_a_lookup_error(agent, ctx):
    with pytest.raises(LookupError):
        sessions.start(987654, agent)
