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


def _typed(requester_id):
    """Every kind of conversion a row may need: ids, a foreign key, text, a flag, moments, a NULL."""
    return (Ticket.select(Ticket.id, Ticket.requester, Ticket.subject, Ticket.is_english, Ticket.opened_at,
                          Ticket.first_response_at, Ticket.assignee, Ticket.revision)
            .where(Ticket.requester == requester_id).order_by(Ticket.id).tuples())


def test_tuples_are_converted_as_peewee_converts_them_also_after_a_run_that_found_nothing(ctx, customer, agent):
    key = object()
    assert prepared.rows(key, _typed, customer.id) == []  # the first run finds no rows
    made = [factories.make_ticket(customer, subject=f"Ticket {n}") for n in range(2)]
    Ticket.update(assignee=agent.id, is_english=False).where(Ticket.id == made[1].id).execute()
    for _ in range(2):
        rows = prepared.rows(key, _typed, customer.id)
        assert rows == list(_typed(customer.id))
        assert [tuple(type(v) for v in row) for row in rows] == [tuple(type(v) for v in row)
                                                                 for row in _typed(customer.id)]
        assert rows[1][3] is False and rows[0][6] is None and rows[1][6] == agent.id


def _state(row):
    """A row as peewee holds it: its class, values, related rows (recursively) and dirty marks."""
    if row is None or not hasattr(row, "__data__"):
        return row
    return (type(row), dict(row.__data__), {k: _state(v) for k, v in row.__rel__.items()}, set(row._dirty),
            {k: v for k, v in vars(row).items() if k not in ("__data__", "__rel__", "_dirty")})


@pytest.mark.parametrize("build", [
    pytest.param(lambda t: User.select().where(User.id == t), id="one model"),
    pytest.param(lambda t: Ticket.select().where(Ticket.requester == t).order_by(Ticket.id), id="moments, keys"),
    pytest.param(lambda t: _joined_all(t), id="joins, outer joins, aliases"),
    pytest.param(lambda t: (Message.select(Message, User.id, User.email).join(User, on=(Message.author == User.id))
                            .where(Message.ticket.in_(Ticket.select(Ticket.id).where(Ticket.requester == t)))
                            .order_by(Message.id)), id="some columns of a join"),
])
def test_models_read_by_the_prepared_reader_are_the_ones_peewee_reads(ctx, customer, agent, build):
    one, two = factories.make_ticket(customer), factories.make_ticket(customer, subject="Two")
    Ticket.update(assignee=agent.id).where(Ticket.id == two.id).execute()
    key = object()
    prepared.rows(key, build, customer.id)  # sets the reader up
    rows = prepared.rows(key, build, customer.id)  # read by it
    from portal.db import db
    assert prepared._made[(key, type(db.obj))].read is not None
    assert rows and [_state(r) for r in rows] == [_state(r) for r in build(customer.id)]
    assert all(r.requester.email == customer.email for r in rows if isinstance(r, Ticket) and "requester" in r.__rel__)


def _joined_all(requester_id):
    owner, helper = User.alias(), User.alias()
    return (Ticket.select(Ticket, owner, helper.id, helper.email)
            .join_from(Ticket, owner, on=(Ticket.requester == owner.id), attr="requester")
            .join_from(Ticket, helper, JOIN.LEFT_OUTER, on=(Ticket.assignee == helper.id), attr="assignee")
            .where(Ticket.requester == requester_id).order_by(Ticket.id))


def test_a_first_run_with_no_rows_builds_no_query_and_a_later_one_reads_as_peewee(ctx, customer):
    key, built = object(), []

    def build(*args):
        built.append(args)
        return _by_subject(*args)
    assert prepared.rows(key, build, customer.id, "nothing yet") == []
    assert len(built) == 1  # the stand-ins that learn the parameters' places, and the reader's shape
    made = factories.make_ticket(customer, subject="Now one")
    assert prepared.rows(key, build, customer.id, "Now one") == [(made.id, "Now one")]
    assert prepared.rows(key, build, customer.id, "Now one") == [(made.id, "Now one")] and len(built) == 1


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
