"""Bug use cases: link a ticket to a bug, and the news linked customers get (policy 5.2)."""
import pytest

from portal.models import Bug, Message, Ticket
from portal.services import bugs
from tests import factories


def _form(**values):
    return {"title": "Viewer freezes on monitor switch", "status": "open", "eta": "", "workaround": "Use one monitor.",
            "fixed_in": ""} | values


def test_link_to_a_new_bug(ticket, agent):
    bug = bugs.link(ticket, agent, _form(bug_id="new"))
    assert Ticket.get_by_id(ticket.id).bug_id == bug.id and Bug.select().count() == 1


def test_link_to_a_missing_bug_is_refused(ticket, agent):
    with pytest.raises(bugs.BugError) as refused:
        bugs.link(ticket, agent, {"bug_id": "424242"})
    assert "bug_id" in refused.value.errors and Ticket.get_by_id(ticket.id).bug_id is None


def test_a_fix_is_news_for_linked_tickets_not_closed(customer, agent):
    bug = bugs.create(agent, _form())
    told = factories.make_ticket(customer, bug=bug)
    closed = factories.make_ticket(customer, bug=bug, status="closed")
    _, replies = bugs.update(bug.id, agent, _form(status="fixed", fixed_in="8.1.0.3"))
    assert replies == 1
    assert "fixed in version 8.1.0.3" in Message.select().where(Message.ticket == told).order_by(Message.id.desc()).get().body
    assert Message.select().where(Message.ticket == closed).count() == 1  # only its first message


def test_saving_the_same_fix_again_is_no_news(customer, agent):
    bug = bugs.create(agent, _form())
    factories.make_ticket(customer, bug=bug)
    bugs.update(bug.id, agent, _form(status="fixed", fixed_in="8.1.0.3"))
    assert bugs.update(bug.id, agent, _form(status="fixed", fixed_in="8.1.0.3"))[1] == 0
