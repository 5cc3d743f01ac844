"""Every refused state transition: the service raises its error and writes nothing.

Status machines: tickets (open, waiting, solved, closed), remote sessions (requested, scheduled,
running, ended, cancelled), forum threads (locked), ticket assignment (claimed or not).
"""
import datetime

import pytest

from portal.db import utcnow
from portal.models import AuditLog, Message, Post, RemoteSession, Ticket
from portal.services import assign, forum, sessions, tickets
from portal.services.errors import Conflict, FieldError, ServiceError
from tests import factories

SESSION_STATES = ("requested", "scheduled", "running", "ended", "cancelled")
MOVES = {"start": ("scheduled",), "end": ("scheduled", "running"),  # policy 8.5: a running one is ended
         "cancel": ("requested", "scheduled")}
REFUSED = [(move, state) for move, allowed in MOVES.items() for state in SESSION_STATES if state not in allowed]
ALLOWED = [(move, state) for move, allowed in MOVES.items() for state in allowed]


def _session(ticket, agent, status):
    return RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status=status,
                                starts_at=utcnow() + datetime.timedelta(days=2))


def _tuesday():
    """A Tuesday next week (10:00 Pacific is inside support hours, policy 1.5)."""
    day = factories.today(7)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


def _snapshot(model, row_id):
    return model.select().where(model.id == row_id).dicts().get()


@pytest.mark.parametrize("move, state", REFUSED)
def test_a_session_move_from_a_wrong_state_is_refused(ticket, agent, move, state):
    session = _session(ticket, agent, state)
    before, audits = _snapshot(RemoteSession, session.id), AuditLog.select().count()
    with pytest.raises(FieldError, match=f"is {state}; it cannot be"):
        getattr(sessions, move)(session.id, agent)
    assert _snapshot(RemoteSession, session.id) == before
    assert AuditLog.select().count() == audits


@pytest.mark.parametrize("move, state", ALLOWED)
def test_a_session_move_from_a_right_state_is_done(ticket, agent, move, state):
    session = getattr(sessions, move)(_session(ticket, agent, state).id, agent)
    assert session.status == {"start": "running", "end": "ended", "cancel": "cancelled"}[move]


@pytest.mark.parametrize("live", ["scheduled", "running"])
def test_scheduling_beside_an_active_session_is_refused(ticket, agent, live):
    _session(ticket, agent, live)
    with pytest.raises(FieldError, match="already has a scheduled session"):
        sessions.schedule(ticket.id, agent, agent.id, _tuesday(), datetime.time(10, 0))
    assert RemoteSession.select().where(RemoteSession.ticket == ticket).count() == 1


@pytest.mark.parametrize("status", ["solved", "closed"])
def test_scheduling_on_a_ticket_that_is_not_open_is_refused(customer, agent, status):
    ticket = factories.make_ticket(customer, status=status)
    with pytest.raises(FieldError, match="The ticket is closed"):
        sessions.schedule(ticket.id, agent, agent.id, None, None)
    assert RemoteSession.select().count() == 0


@pytest.mark.parametrize("status", ["open", "waiting"])
def test_reopening_an_open_ticket_is_refused(customer, status):
    ticket = factories.make_ticket(customer, status=status)
    before = _snapshot(Ticket, ticket.id)
    with pytest.raises(FieldError, match="already open"):
        tickets.reopen_ticket(ticket, customer)
    assert _snapshot(Ticket, ticket.id) == before


def test_closing_a_closed_ticket_is_refused(customer):
    ticket = factories.make_ticket(customer, status="closed")
    before = _snapshot(Ticket, ticket.id)
    with pytest.raises(FieldError, match="already closed"):
        tickets.close_ticket(ticket, customer)
    assert _snapshot(Ticket, ticket.id) == before


@pytest.mark.parametrize("status", ["waiting", "solved"])
def test_a_customer_sets_only_open_or_closed(ticket, customer, status):
    before = _snapshot(Ticket, ticket.id)
    with pytest.raises(FieldError, match="close or reopen"):
        tickets.set_status(ticket, customer, status)
    assert _snapshot(Ticket, ticket.id) == before


@pytest.mark.parametrize("status", ["open", "waiting"])
def test_a_customer_setting_open_on_an_open_or_waiting_ticket_is_refused(customer, status):
    ticket = factories.make_ticket(customer, status=status)
    Ticket.update(awaiting_staff=False).where(Ticket.id == ticket.id).execute()  # as after a staff reply
    before = _snapshot(Ticket, ticket.id)
    with pytest.raises(ServiceError, match="already open") as refused:
        tickets.set_status(Ticket.get_by_id(ticket.id), customer, "open")
    assert refused.value.errors == {"status": "This ticket is already open."} and refused.value.status == 400
    assert _snapshot(Ticket, ticket.id) == before


@pytest.mark.parametrize("status", ["solved", "closed"])
def test_a_customer_reopens_a_solved_or_closed_ticket(customer, status):
    ticket = factories.make_ticket(customer, status=status)
    Ticket.update(awaiting_staff=False).where(Ticket.id == ticket.id).execute()
    tickets.set_status(Ticket.get_by_id(ticket.id), customer, "open")
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "open" and fresh.awaiting_staff  # back in the queue


@pytest.mark.parametrize("move", ["claim", "assign", "unassign"])
def test_changing_who_works_on_a_closed_ticket_is_refused(customer, agent, move):
    ticket = factories.make_ticket(customer, status="closed")
    if move == "unassign":
        Ticket.update(assignee=agent.id).where(Ticket.id == ticket.id).execute()
    before, audits = _snapshot(Ticket, ticket.id), AuditLog.select().count()
    with pytest.raises(Conflict, match="This ticket is closed; reopen it") as refused:
        {"claim": lambda: assign.claim(ticket.id, agent), "assign": lambda: assign.assign(ticket.id, agent, agent.id),
         "unassign": lambda: assign.unassign(ticket.id, agent)}[move]()
    assert refused.value.status == 409 and refused.value.field == "assignee"
    assert _snapshot(Ticket, ticket.id) == before and AuditLog.select().count() == audits


@pytest.mark.parametrize("status", ["open", "waiting", "solved"])
def test_a_ticket_that_is_not_closed_is_still_assigned(customer, agent, status):
    ticket = factories.make_ticket(customer, status=status)
    assign.assign(ticket.id, agent, agent.id)
    assert Ticket.get_by_id(ticket.id).assignee_id == agent.id
    assign.unassign(ticket.id, agent)
    assert Ticket.get_by_id(ticket.id).assignee_id is None


@pytest.mark.parametrize("actor", ["customer", "agent"])
def test_an_unknown_status_is_refused(ticket, customer, agent, actor):
    before = _snapshot(Ticket, ticket.id)
    with pytest.raises(FieldError, match="Status must be one of"):
        tickets.set_status(ticket, {"customer": customer, "agent": agent}[actor], "deleted")
    assert _snapshot(Ticket, ticket.id) == before


def test_a_customer_reply_to_a_closed_ticket_is_refused(customer):
    ticket = factories.make_ticket(customer, status="closed")
    with pytest.raises(ServiceError, match="closed. Reopen it to reply"):
        tickets.add_reply(ticket, customer, "Still broken.")
    assert Message.select().where(Message.ticket == ticket).count() == 1
    assert _snapshot(Ticket, ticket.id)["status"] == "closed"


@pytest.mark.parametrize("status", ["solved", "closed"])
def test_remote_support_on_a_ticket_that_is_not_open_is_refused(customer, status):
    ticket = factories.make_ticket(customer, status=status)
    with pytest.raises(FieldError, match="Reopen it to ask for remote support"):
        tickets.request_remote(ticket, customer)
    assert RemoteSession.select().count() == 0


def test_claiming_a_ticket_someone_holds_is_refused(ticket, agent):
    other = factories.make_user(role="staff")
    assign.claim(ticket.id, other)
    with pytest.raises(Conflict, match="has already claimed"):
        assign.claim(ticket.id, agent)
    assert Ticket.get_by_id(ticket.id).assignee_id == other.id


def test_replying_to_a_locked_thread_is_refused(customer, agent):
    thread = factories.make_thread(customer)
    forum.set_locked(agent, thread, True)
    with pytest.raises(FieldError, match="locked"):
        forum.reply(customer, thread, "One more thing.")
    assert Post.select().where(Post.thread == thread).count() == 1


def test_editing_in_a_locked_thread_is_refused(customer, agent):
    thread = factories.make_thread(customer)
    post = Post.get(Post.thread == thread)
    forum.set_locked(agent, thread, True)
    with pytest.raises(FieldError, match="locked"):
        forum.edit_post(customer, post, "Changed my mind.")
    assert Post.get_by_id(post.id).body == post.body
