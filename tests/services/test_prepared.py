"""portal.prepared: a query prepared once gives, run after run, what peewee gives for the same query."""
import pytest
from peewee import JOIN

from portal import prepared
from portal.models import Message, Ticket, User
from tests import factories
from tests.factories import counting_queries


def _joined(ticket_id):
    helper = User.alias()
    return (Ticket.select(Ticket, User, helper)
            .join_from(Ticket, User, on=(Ticket.requester == User.id), attr="requester")
            .join_from(Ticket, helper, JOIN.LEFT_OUTER, on=(Ticket.assignee == helper.id), attr="assignee")
            .where(Ticket.id == ticket_id).limit(1))


def _by_subject(requester_id, subject):
    return (Ticket.select(Ticket.id, Ticket.subject).where((Ticket.requester == requester_id)
                                                          & (Ticket.subject == subject)).order_by(Ticket.id).tuples())


def test_each_run_reads_its_own_arguments_into_the_same_models(ctx, customer, agent):
    first, second = factories.make_ticket(customer), factories.make_ticket(agent, subject="Another")
    Ticket.update(assignee=agent.id).where(Ticket.id == second.id).execute()
    key = object()  # a key of this test's own
    for _ in range(2):  # the first run sets the reader up, the second reuses it
        a, b, none = (prepared.first(key, _joined, t) for t in (first.id, second.id, -1))
        assert none is None
        assert (a.id, a.requester.email, a.assignee) == (first.id, customer.email, None)
        assert (b.id, b.requester.email, b.assignee.email) == (second.id, agent.email, agent.email)
        assert b.opened_at == Ticket.get_by_id(second.id).opened_at and b.opened_at.tzinfo is not None
        assert not a._dirty and not b._dirty  # rows as peewee gives them: nothing to save


def test_later_runs_build_no_sql_and_run_one_statement(ctx, customer):
    made = factories.make_ticket(customer, subject="Host log")
    key = object()
    assert prepared.rows(key, _by_subject, customer.id, "Host log") == [(made.id, "Host log")]
    built = []
    with counting_queries() as seen:
        assert prepared.rows(key, lambda *a: built.append(a) or _by_subject(*a), customer.id, "Host log") == [
            (made.id, "Host log")]
        assert prepared.rows(key, _by_subject, customer.id, "no such subject") == []
    assert built == [] and len(seen) == 2


def test_arguments_that_are_not_ints_or_strings_run_as_peewee_does(ctx, customer):
    made = factories.make_ticket(customer)
    rows = prepared.rows(object(), lambda t: Message.select().where(Message.ticket == t), made)  # a model
    assert [m.ticket_id for m in rows] == [made.id]


def test_an_argument_missing_from_the_parameters_is_refused(ctx, customer):
    with pytest.raises(ValueError, match="exactly once"):
        prepared.rows(object(), lambda ticket_id: Ticket.select().where(Ticket.id == 1), 5)


def test_a_first_run_with_no_rows_builds_no_query_and_a_later_one_reads_as_peewee(ctx, customer):
    key, built = object(), []

    def build(*args):
        built.append(args)
        return _by_subject(*args)
    assert prepared.rows(key, build, customer.id, "nothing yet") == []
    assert len(built) == 1  # the stand-ins that learn the parameters' places: no reader for no rows
    made = factories.make_ticket(customer, subject="Now one")
    assert prepared.rows(key, build, customer.id, "Now one") == [(made.id, "Now one")]
    assert prepared.rows(key, build, customer.id, "Now one") == [(made.id, "Now one")] and len(built) == 2


def test_raw_gives_the_rows_as_the_driver_does_with_sql_made_once(ctx, customer):
    made = factories.make_ticket(customer, subject="Raw")
    key = object()

    def build(requester_id):
        return Ticket.select(Ticket.id, Ticket.opened_at).where(Ticket.requester == requester_id)
    for _ in range(2):
        [(ticket_id, stored)] = prepared.raw(key, build, customer.id)
        assert ticket_id == made.id and Ticket.opened_at.python_value(stored) == made.opened_at
    assert prepared.raw(key, build, -1) == []
    with counting_queries() as seen:
        prepared.raw(key, lambda *a: pytest.fail("built again"), customer.id)
    assert len(seen) == 1
