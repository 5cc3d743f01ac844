"""Ticket use cases: file, reply, change status, close and reopen (policy 2.1, 8.5)."""
import pytest

from portal.models import Message, RemoteSession, Ticket
from portal.services import tickets
from portal.services.errors import ServiceError


def test_filing_stores_the_ticket_and_its_first_message(customer):
    made = tickets.create_ticket(customer, "Remote Utilities", "8.1.0.3", "Viewer cannot connect",
                                 "The Viewer does not connect to the Host after the update.", accept_policy=True)
    stored = Ticket.get_by_id(made.id)
    assert (stored.requester_id, stored.status, stored.awaiting_staff) == (customer.id, "open", True)
    assert [m.body for m in stored.messages] == ["The Viewer does not connect to the Host after the update."]


def test_filing_without_a_subject_is_refused(customer):
    with pytest.raises(ServiceError) as refused:
        tickets.create_ticket(customer, "Remote Utilities", "8.1.0.3", "", "Body text long enough here.",
                              accept_policy=True)
    assert "subject" in refused.value.errors and Ticket.select().count() == 0


def test_a_staff_reply_records_the_first_response_and_waits_for_the_customer(ticket, agent):
    tickets.add_reply(ticket, agent, "Please update the Host.", notify=False)
    stored = Ticket.get_by_id(ticket.id)  # policy 2.1
    assert stored.status == "waiting" and not stored.awaiting_staff and stored.first_response_at is not None


def test_a_customer_reply_reopens_a_waiting_ticket(ticket, agent, customer):
    tickets.add_reply(ticket, agent, "Please update the Host.", notify=False)
    tickets.add_reply(ticket, customer, "Updated, still broken.")
    stored = Ticket.get_by_id(ticket.id)
    assert stored.status == "open" and stored.awaiting_staff and stored.messages.count() == 3


def test_an_internal_note_is_not_a_first_response(ticket, agent):
    tickets.add_reply(ticket, agent, "Looks like the relay.", internal=True)
    stored = Ticket.get_by_id(ticket.id)
    assert stored.first_response_at is None and stored.awaiting_staff
    assert Message.get(Message.ticket == ticket, Message.internal).body == "Looks like the relay."


def test_closing_ends_the_sessions_and_reopening_waits_for_staff(ticket, customer, agent):
    RemoteSession.create(ticket=ticket, requested_by=customer, status="requested")
    tickets.close_ticket(ticket, customer)
    assert Ticket.get_by_id(ticket.id).status == "closed"
    assert [s.status for s in RemoteSession.select()] == ["cancelled"]  # policy 8.5
    tickets.reopen_ticket(Ticket.get_by_id(ticket.id), customer)
    stored = Ticket.get_by_id(ticket.id)
    assert stored.status == "open" and stored.awaiting_staff


def test_staff_set_any_status(ticket, agent):
    tickets.set_status(ticket, agent, "solved")
    assert Ticket.get_by_id(ticket.id).status == "solved"


def _racing_past_the_look_up(monkeypatch):
    """The first look-up of the token finds nothing, as for a double click whose twin is still
    being written: the insert then meets the twin's ticket."""
    real, calls = tickets._existing, []

    def look_up(token, requester):
        calls.append(token)
        return None if len(calls) == 1 else real(token, requester)
    monkeypatch.setattr(tickets, "_existing", look_up)


def test_a_double_submit_racing_past_the_look_up_files_one_ticket_and_one_mail(customer, monkeypatch):
    from portal.models import MailNotice
    args = ("Remote Utilities", "8.1.0.3", "Viewer cannot connect", "The Viewer does not connect after the update.")
    first = tickets.create_ticket(customer, *args, submit_token="r" * 32, accept_policy=True)
    _racing_past_the_look_up(monkeypatch)
    again = tickets.create_ticket(customer, *args, submit_token="r" * 32, accept_policy=True)
    assert again.id == first.id and Ticket.select().count() == 1 and Message.select().count() == 1
    assert MailNotice.select().count() == 1  # the twin's notice of its mail rolled back with its ticket


def test_another_users_token_met_at_the_insert_is_refused(customer, monkeypatch):
    from tests import factories
    args = ("Remote Utilities", "8.1.0.3", "Viewer cannot connect", "The Viewer does not connect after the update.")
    tickets.create_ticket(factories.make_user(level="PRO"), *args, submit_token="o" * 32, accept_policy=True)
    _racing_past_the_look_up(monkeypatch)
    with pytest.raises(ServiceError) as refused:
        tickets.create_ticket(customer, *args, submit_token="o" * 32, accept_policy=True)
    assert "already used" in refused.value.errors["form"] and Ticket.select().count() == 1
