"""Remote session use cases: request, schedule, start, end, cancel (policy 8.1-8.5)."""
import datetime

import pytest

from portal.models import AuditLog, RemoteSession
from portal.services import credentials, sessions, tickets
from portal.services.errors import FieldError, NotFound
from tests.services.test_transitions import _tuesday

TEN = datetime.time(10, 0)


def _schedule(ticket, agent, at=TEN, **extra):
    return sessions.schedule(ticket.id, agent, agent.id, _tuesday(), at, **extra)


def test_a_request_is_scheduled_in_place(ticket, customer, agent):
    requested = tickets.request_remote(ticket, customer)
    scheduled = _schedule(ticket, agent)
    assert scheduled.id == requested.id
    stored = RemoteSession.get_by_id(scheduled.id)
    assert (stored.status, stored.agent_id, stored.tool) == ("scheduled", agent.id, "Remote Utilities")
    assert AuditLog.get(AuditLog.action == "session.schedule").object_id == str(stored.id)


def test_a_start_outside_support_hours_is_refused(ticket, agent):
    with pytest.raises(FieldError) as refused:  # policy 1.5
        _schedule(ticket, agent, datetime.time(3, 0))
    assert refused.value.field == "starts_on" and RemoteSession.select().count() == 0


@pytest.mark.parametrize("day, at", [(None, TEN), ("2031-03-18", TEN), (datetime.date(2031, 3, 18), None)])
def test_a_start_that_is_not_a_date_and_a_time_is_refused(ticket, agent, day, at):
    with pytest.raises(FieldError, match="Give the start as a date and a time") as refused:
        sessions.schedule(ticket.id, agent, agent.id, day, at)
    assert refused.value.field == "starts_on" and refused.value.status == 400


def test_another_tool_needs_a_name(ticket, agent):
    with pytest.raises(FieldError) as refused:  # policy 8.4
        _schedule(ticket, agent, tool=sessions.OTHER_TOOL, other_tool="")
    assert refused.value.field == "other_tool"
    assert _schedule(ticket, agent, tool=sessions.OTHER_TOOL, other_tool=" AnyDesk ").tool == "AnyDesk"


@pytest.mark.parametrize("agent_id", ["the customer", None, 0, 2**63])
def test_the_agent_must_be_a_member_of_staff(ticket, customer, agent, agent_id):
    agent_id = customer.id if agent_id == "the customer" else agent_id
    with pytest.raises(FieldError, match="Choose a staff member as the agent") as refused:
        sessions.schedule(ticket.id, agent, agent_id, _tuesday(), TEN)
    assert refused.value.field == "agent" and RemoteSession.select().count() == 0


def test_start_then_end_destroys_the_credentials(ticket, customer, agent):
    session = _schedule(ticket, agent)
    credential = credentials.store_credentials(ticket, customer, "ID-111", "s3cret-Pa55", "")
    assert sessions.start(session.id, agent).status == "running"
    ended = sessions.end(session.id, agent)
    assert ended.status == "ended" and ended.ended_at is not None
    assert type(credential).get_by_id(credential.id).ciphertext is None  # policy 8.5


def test_cancel_a_scheduled_session(ticket, agent):
    session = _schedule(ticket, agent)
    assert sessions.cancel(session.id, agent).status == "cancelled"
    assert sessions.live_session(ticket) is None


def test_an_unknown_session_ticket_or_credential_is_not_found(agent, ctx):
    with pytest.raises(NotFound):
        sessions.start(987654, agent)
    with pytest.raises(NotFound):
        sessions.schedule(987654, agent, agent.id, datetime.date(2031, 3, 18), datetime.time(10, 30))
    with pytest.raises(NotFound):
        sessions.reveal(987654, agent)
