"""Converting a forum thread is one transaction: the thread taken, the ticket, its message, the
staff post and the audit row, or nothing; it never writes (or undoes) the author's policy 1.2 acceptance."""
import pytest

from portal.models import AuditLog, Message, Post, Thread, Ticket, User
from portal.services import assign, audit, tickets
from portal.services.errors import ServiceError
from tests import factories


class LastStepFailed(Exception):
    pass


def test_a_conversion_failing_at_its_last_step_leaves_nothing(ctx, customer, agent, monkeypatch):
    thread = factories.make_thread(customer)
    before = Thread.get_by_id(thread.id)
    posts_before = Post.select().where(Post.thread == thread.id).count()
    real_record = audit.record

    def record(actor, action, *args, **kwargs):
        if action == "convert":  # the audit row is the conversion's last write
            raise LastStepFailed()
        return real_record(actor, action, *args, **kwargs)

    monkeypatch.setattr(assign.audit, "record", record)
    with pytest.raises(LastStepFailed):
        assign.convert_thread(thread, agent)
    assert Ticket.select().where(Ticket.requester == customer.id).count() == 0
    assert Message.select().count() == 0
    after = Thread.get_by_id(thread.id)
    assert after.awaiting_staff and after.first_response_at is None and after.post_count == before.post_count
    assert Post.select().where(Post.thread == thread.id).count() == posts_before
    assert User.get_by_id(customer.id).policy_accepted_at is None
    assert not AuditLog.select().where(AuditLog.action == "convert").exists()


def test_converting_keeps_an_acceptance_the_author_gave_meanwhile(ctx, customer, agent):
    thread = factories.make_thread(customer)
    thread = Thread.get_by_id(thread.id)
    assert thread.author.policy_accepted_at is None  # the staff page loaded the author before ...
    tickets.create_ticket(User.get_by_id(customer.id), "Remote Utilities", "", "Own question",
                          "I filed this one myself, accepting the policy.", accept_policy=True)
    accepted = User.get_by_id(customer.id).policy_accepted_at
    assert accepted is not None  # ... and the author accepted policy 1.2 with a ticket of their own
    ticket = assign.convert_thread(thread, agent)
    assert ticket.requester_id == customer.id
    assert User.get_by_id(customer.id).policy_accepted_at == accepted


def test_converting_records_no_acceptance_for_the_author(ctx, customer, agent):
    ticket = assign.convert_thread(factories.make_thread(customer), agent)
    assert Ticket.get_by_id(ticket.id).awaiting_staff
    assert User.get_by_id(customer.id).policy_accepted_at is None  # policy 1.2: staff do not accept for them


def test_the_insert_step_needs_the_callers_transaction(ctx, customer):
    new = tickets.check_new_ticket(customer, "Remote Utilities", "", "A subject", "A body long enough.",
                                   accept_policy=True)
    with pytest.raises(RuntimeError):
        tickets.insert_ticket(new)
    assert Ticket.select().count() == 0


def test_the_check_step_refuses_like_filing_does(ctx, customer):
    with pytest.raises(ServiceError) as refused:
        tickets.check_new_ticket(customer, "Other", "", "", "short")
    assert {"product", "subject", "body", "accept_policy"} <= set(refused.value.errors)
    new = tickets.check_new_ticket(customer, "Remote Utilities", "", "A subject", "A body long enough.",
                                   for_requester=False)
    assert not new.records_acceptance
