"""Bug use cases: link a ticket to a bug, and the news linked customers get (policy 5.2)."""
import pytest

from portal.models import Bug, Message, Ticket
from portal.services import bugs
from portal.services.errors import NotFound, ServiceError
from tests import factories


def _form(**values):
    return bugs.BugFields(**{"title": "Viewer freezes on monitor switch", "workaround": "Use one monitor."} | values)


def test_link_to_a_new_bug(ticket, agent):
    bug = bugs.link(ticket, agent, fields=_form())
    assert Ticket.get_by_id(ticket.id).bug_id == bug.id and Bug.select().count() == 1


@pytest.mark.parametrize("bug_id", [424242, 0, 2**63])
def test_link_to_a_missing_bug_is_refused(ticket, agent, bug_id):
    with pytest.raises(ServiceError) as refused:
        bugs.link(ticket, agent, bug_id)
    assert refused.value.errors == {"bug_id": "Choose a bug from the list."} and refused.value.status == 400
    assert Ticket.get_by_id(ticket.id).bug_id is None


def test_bad_fields_are_refused_all_at_once_and_nothing_is_written(agent):
    with pytest.raises(ServiceError) as refused:  # policy 5.3, 7.1
        bugs.create(agent, bugs.BugFields("x", status="fixed", workaround=" "))
    assert set(refused.value.errors) == {"title", "workaround", "fixed_in"} and Bug.select().count() == 0
    with pytest.raises(ServiceError, match="Status is open or fixed"):
        bugs.create(agent, _form(status="closed"))
    with pytest.raises(ServiceError, match="four numbers"):
        bugs.create(agent, _form(fixed_in="8.1"))
    assert Bug.select().count() == 0


def test_updating_a_missing_bug_is_not_found(agent):
    with pytest.raises(NotFound):
        bugs.update(424242, agent, _form())


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
