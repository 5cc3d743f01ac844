"""portal.prepared_writes: an INSERT prepared once writes, run after run, the row Model.create writes."""
import pytest
from peewee import SQL, IntegrityError

from portal import prepared_writes
from portal.db import FieldTooLong, utcnow
from portal.models import Message, OutboxMail, Ticket
from tests.factories import counting_queries


def _ticket_values(customer, subject, **more):
    now = utcnow()
    return dict(requester=customer, product="Remote Utilities", version="8.1.0.3", version_status="current",
                subject=subject, level="PRO", level_reason="a license", rank_band=2, opened_at=now, due_at=now,
                policy_version="1", language="en", is_english=True, updated_at=now, **more)


def _stored(model, row_id):
    return model.select().where(model._meta.primary_key == row_id).dicts().get()


def _without_id(row):
    return {k: v for k, v in row.items() if k != "id"}


@pytest.mark.parametrize("runs", [1, 3])  # the first run makes the SQL text, later runs reuse it
def test_the_rows_written_are_those_model_create_writes(ctx, customer, runs):
    for n in range(runs):
        values = _ticket_values(customer, f"Host log {n}", submit_token=f"token-{n}-abcdefghijklmnop")
        made = prepared_writes.create(Ticket, **values)
        reference = Ticket.create(**(values | {"submit_token": f"other-{n}-abcdefghijklmnop"}))
        assert made.id is not None and made.id != reference.id and not made._dirty
        ours, theirs = _stored(Ticket, made.id), _stored(Ticket, reference.id)
        assert _without_id(ours) | {"submit_token": None} == _without_id(theirs) | {"submit_token": None}
        assert ours["submit_token"] == values["submit_token"]
        assert (made.status, made.revision, made.awaiting_staff) == ("open", 0, True)  # the models' defaults
        message = prepared_writes.create(Message, ticket=made, author=customer, body="It fails.", created_at=utcnow())
        assert _stored(Message, message.id)["ticket"] == made.id and message.ticket.id == made.id


def test_later_runs_run_one_statement_each(ctx, customer):
    prepared_writes.create(Message, ticket=_make(customer, "a"), author=customer, body="First.", created_at=utcnow())
    ticket = _make(customer, "b")
    with counting_queries() as seen:
        for text in ("One.", "Two."):
            prepared_writes.create(Message, ticket=ticket, author=customer, body=text, created_at=utcnow())
    assert len(seen) == 2
    assert [m.body for m in Message.select().where(Message.ticket == ticket).order_by(Message.id)] == ["One.", "Two."]


def _make(customer, subject):
    return prepared_writes.create(Ticket, **_ticket_values(customer, subject))


def test_the_length_backstop_and_the_unique_token_hold(ctx, customer):
    with pytest.raises(FieldTooLong):
        prepared_writes.create(Ticket, **_ticket_values(customer, "x" * 201))
    values = _ticket_values(customer, "Twice", submit_token="the-same-token-abcdefgh")
    prepared_writes.create(Ticket, **values)
    with pytest.raises(IntegrityError):  # peewee's own error: create_ticket's double-submit path catches it
        prepared_writes.create(Ticket, **values)


def test_an_sql_expression_or_a_given_id_goes_through_model_create(ctx, customer):
    now = utcnow()
    mail = prepared_writes.create(OutboxMail, to="a@example.test", subject="S", text="T", token="t" * 16,
                                  next_attempt_at=now, created_at=now, attempts=SQL("1 + 1"))
    assert _stored(OutboxMail, mail.id)["attempts"] == 2
    ticket = _make(customer, "given")
    given = prepared_writes.create(Message, id=987654, ticket=ticket, author=customer, body="Mine.", created_at=now)
    assert given.id == 987654 and _stored(Message, 987654)["body"] == "Mine."
