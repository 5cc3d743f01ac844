"""Assignment use cases: claim, assign, unassign, and the conflict when someone was quicker."""
import pytest

from portal.models import AuditLog, Ticket
from portal.services import assign
from portal.services.errors import Conflict, FieldError
from tests import factories


def test_claim_takes_an_unassigned_ticket(ticket, agent):
    assign.claim(ticket.id, agent)
    assert Ticket.get_by_id(ticket.id).assignee_id == agent.id
    assert AuditLog.get(AuditLog.action == "claim").object_id == str(ticket.id)


def test_claiming_again_is_harmless(ticket, agent):
    assign.claim(ticket.id, agent)
    assert assign.claim(ticket.id, agent) == agent
    assert AuditLog.select().where(AuditLog.action == "claim").count() == 1


def test_conflict_names_the_holder(ticket, agent):
    holder = factories.make_user(role="staff", display_name="Dana")
    assign.claim(ticket.id, holder)
    with pytest.raises(Conflict) as refused:
        assign.claim(ticket.id, agent)
    assert refused.value.errors == {"assignee": "Dana has already claimed this ticket."}
    assert refused.value.status == 409 and Ticket.get_by_id(ticket.id).assignee_id == holder.id


def test_assign_and_unassign(ticket, agent):
    other = factories.make_user(role="staff")
    assign.assign(ticket.id, agent, other.id)
    assert Ticket.get_by_id(ticket.id).assignee_id == other.id
    with pytest.raises(Conflict, match="holds this ticket. Take it over?"):  # another agent's: asks first
        assign.unassign(ticket.id, agent)
    assign.unassign(ticket.id, agent, confirmed_holder=other.id)
    assert Ticket.get_by_id(ticket.id).assignee_id is None


@pytest.mark.parametrize("who", ["customer", "nobody"])
def test_assign_only_to_staff(ticket, agent, customer, who):
    target = customer.id if who == "customer" else 999999
    with pytest.raises(FieldError, match="Choose a member of staff") as refused:
        assign.assign(ticket.id, agent, target)
    assert refused.value.field == "agent" and Ticket.get_by_id(ticket.id).assignee_id is None
