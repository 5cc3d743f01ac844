"""Read-then-write races that PostgreSQL's READ COMMITTED allows (policy 2.1 first response, 8.1 sessions)."""
import datetime
import threading

from portal import db as database
from portal.models import Message, RemoteSession, Ticket
from portal.services import attachments
from portal.services import tickets as service
from portal.services.errors import FieldError


def test_first_staff_response_is_recorded_once_even_after_a_stale_read(app, user, ticket, monkeypatch):
    # policy 2.1: the first response is the first one committed; a later reply that read the ticket
    # before that commit (PostgreSQL READ COMMITTED) must neither move it nor flip first_response_met
    owner, agent, other = user(level="PRO"), user(role="staff"), user(role="staff")
    t = ticket(owner)
    earlier = t.opened_at + datetime.timedelta(minutes=5)
    record = attachments.record

    def commit_of_the_other_reply(tkt, message, who, uploads, names):
        # runs between this reply's read of the ticket and its update, like a concurrent commit
        Ticket.update(first_response_at=earlier, first_response_met=True).where(
            (Ticket.id == tkt.id) & Ticket.first_response_at.is_null()).execute()
        return record(tkt, message, who, uploads, names)

    monkeypatch.setattr(attachments, "record", commit_of_the_other_reply)
    Ticket.update(due_at=t.opened_at + datetime.timedelta(minutes=10)).where(Ticket.id == t.id).execute()
    with app.app_context():
        service.add_reply(Ticket.get_by_id(t.id), agent, "Second answer, committed later.")
    fresh = Ticket.get_by_id(t.id)
    assert fresh.first_response_at == earlier and fresh.first_response_met is True
    monkeypatch.setattr(attachments, "record", record)
    with app.app_context():
        service.add_reply(fresh, other, "A third answer.")
    assert Ticket.get_by_id(t.id).first_response_at == earlier


def _in_thread(app, fn, errors):
    def run():
        try:
            with app.app_context():
                database.db.connect(reuse_if_open=True)
                try:
                    fn()
                finally:
                    database.db.close()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
    return threading.Thread(target=run)


def test_two_concurrent_remote_requests_make_one_session(app, user, ticket, monkeypatch):
    # policy 8.1, 8.2: one live session per ticket even when two requests race (the ticket row is
    # locked on PostgreSQL; SQLite's IMMEDIATE transaction serialises them already)
    owner = user(level="PRO")
    t = ticket(owner)
    checked, go, errors = threading.Event(), threading.Event(), []
    original = service.live_session

    def slow_first(tkt):
        found = original(tkt)
        if threading.current_thread().name == "first":
            checked.set()
            go.wait(10)  # hold the transaction open after finding no live session
        return found

    monkeypatch.setattr(service, "live_session", slow_first)
    first = _in_thread(app, lambda: service.request_remote(Ticket.get_by_id(t.id), owner), errors)
    second = _in_thread(app, lambda: service.request_remote(Ticket.get_by_id(t.id), owner), errors)
    first.name = "first"
    first.start()
    assert checked.wait(10)
    second.start()
    second.join(timeout=1.5)  # without a lock it finishes here, having found no session either
    go.set()
    first.join(20)
    second.join(20)
    assert not errors, errors
    assert RemoteSession.select().where(RemoteSession.ticket == t.id).count() == 1


def test_requesting_remote_support_rechecks_that_the_ticket_is_open(app, user, ticket):
    # policy 8.1: a ticket closed meanwhile (the object in hand still says open) gets no session
    owner = user(level="PRO")
    t = ticket(owner)
    Ticket.update(status="closed").where(Ticket.id == t.id).execute()
    with app.app_context():
        try:
            service.request_remote(t, owner)
        except FieldError as exc:
            assert "closed" in exc.errors["remote"]
        else:
            raise AssertionError("a closed ticket got a remote session")
    assert RemoteSession.select().count() == 0 and Message.select().count() == 1
