"""Notifications the sender writes (issue 16): filing a ticket records one notice in its
transaction; the sender's round turns it into the readers' mails, each once, and a notice that
cannot be written is kept, counted and never stops the others."""
import datetime
import email.utils
from collections import Counter

from portal import db as database
from portal.db import utcnow
from portal.models import MailNotice, MailPreference, OutboxMail, Ticket
from portal.services import get_policy, health, mail_notices, mail_sender, tickets
from tests import factories
from tests.mail.conftest import two_senders_at_once

ARGS = ("Remote Utilities", "8.1.0.3", "Viewer cannot connect", "The Viewer does not connect after the update.")


def _file(customer, **kwargs):
    return tickets.create_ticket(customer, *ARGS, accept_policy=True, **kwargs)


def test_filing_records_a_notice_the_sender_writes_as_the_readers_mail(smtp_app, sink):  # policy 1.5, 2.1
    with smtp_app.app_context():
        customer = factories.make_user(level="PRO", time_zone="Asia/Tokyo")
        ticket = _file(customer)
        [notice] = MailNotice.select()
        assert (notice.kind, notice.template, notice.ticket_id) == ("ticket_received", "ticket_received", ticket.id)
        assert OutboxMail.select().count() == 0  # nothing rendered in the request
        assert mail_notices.expand_due() == 1
        [row] = OutboxMail.select()
        due = get_policy().time_text_for(ticket.due_at, "Asia/Tokyo")  # the reader's zone, at expansion
        assert row.to == customer.email and row.kind == "ticket_received" and row.ticket_id == ticket.id
        assert f"First response due by: {due}" in row.text and "Support level: Pro" in row.text
        assert "/account/unsubscribe/" in row.text and MailNotice.select().count() == 0
        assert mail_notices.expand_due() == 0 and OutboxMail.select().count() == 1  # written once
        assert mail_sender.deliver_due(smtp_app.extensions["outbox"]) == ["sent"]
    [mail] = sink.messages()
    assert mail["To"] == customer.email and f"[Ticket #{ticket.id}]" in mail["Subject"]


def test_the_sender_round_writes_then_delivers(smtp_app, sink):
    with smtp_app.app_context():
        _file(factories.make_user(level="FREE"))
        assert mail_sender.deliver_due(smtp_app.extensions["outbox"]) == ["sent"]
    assert len(sink.messages()) == 1


def test_two_senders_at_once_write_each_notice_once(smtp_app, sink):
    with smtp_app.app_context():
        people = [factories.make_user(level="PRO") for _ in range(12)]
        for person in people:
            _file(person)
    written = two_senders_at_once(smtp_app, lambda: mail_notices.expand_due(limit=2))
    with smtp_app.app_context():
        assert sum(written) == 12 and MailNotice.select().count() == 0
        assert Counter(r.to for r in OutboxMail.select()) == Counter(p.email for p in people)


def test_a_notice_already_taken_writes_nothing(smtp_app):
    with smtp_app.app_context():
        _file(factories.make_user())
        notice = MailNotice.get()
        MailNotice.delete().execute()  # another sender's transaction took it first
        assert mail_notices._expand([notice]) == 0 and OutboxMail.select().count() == 0


def test_readers_are_chosen_when_the_notice_is_written(smtp_app):
    with smtp_app.app_context():
        customer = factories.make_user()
        _file(customer)
        MailPreference.create(user=customer.id, kind="ticket_received", enabled=False, updated_at=utcnow())
        assert mail_notices.expand_due() == 1 and OutboxMail.select().count() == 0


def test_a_notice_of_a_ticket_deleted_meanwhile_is_dropped(smtp_app):
    with smtp_app.app_context():
        ticket = _file(factories.make_user())
        from portal.models import Message
        Message.delete().where(Message.ticket == ticket.id).execute()
        Ticket.delete().where(Ticket.id == ticket.id).execute()
        assert mail_notices.expand_due() == 1
        assert MailNotice.select().count() == 0 and OutboxMail.select().count() == 0


def test_a_notice_that_cannot_be_written_is_kept_counted_and_stops_nothing(smtp_app, caplog):
    with smtp_app.app_context():
        broken = MailNotice.create(kind="ticket_received", template="no_such_template",
                                   ticket_id=_file(factories.make_user()).id)
        _file(factories.make_user())  # a good one behind it
        assert mail_notices.expand_due() == 2  # the good notice, and the first ticket's own
        kept = MailNotice.get_by_id(broken.id)
        assert kept.attempts == 1 and kept.last_error == "TemplateNotFound"
        assert OutboxMail.select().count() == 2 and "not written: TemplateNotFound" in caplog.text
        # tried again only after the outbox's backoff, which doubles
        backoff = smtp_app.config["MAIL_SEND_BACKOFF_SECONDS"]
        assert kept.next_attempt_at > utcnow() + datetime.timedelta(seconds=backoff - 5)
        assert mail_notices.expand_due() == 0 and MailNotice.get_by_id(broken.id).attempts == 1
        limit = smtp_app.config["MAIL_SEND_MAX_ATTEMPTS"]
        assert health.outbox_state().queued == 3  # two mails and the notice still to be written
        for day in range(1, limit + 3):
            mail_notices.expand_due(now=utcnow() + datetime.timedelta(days=day))
        assert MailNotice.get_by_id(broken.id).attempts == limit  # then left for an admin
        state = health.outbox_state()
        assert (state.queued, state.failed) == (2, 1)


def test_the_database_failing_counts_against_no_notice(smtp_app, monkeypatch):
    from peewee import OperationalError
    with smtp_app.app_context():
        _file(factories.make_user())

        def locked(*args, **kwargs):
            raise OperationalError("database is locked")
        monkeypatch.setattr(mail_notices.mail_prefs, "notify", locked)
        try:
            mail_notices.expand_due()
        except OperationalError:
            pass
        else:
            raise AssertionError("the database's failure must end the round")
        assert MailNotice.get().attempts == 0


def test_trouble_with_the_notices_never_holds_back_queued_mail(smtp_app, sink):
    from portal.mail import run_sender, send_template
    with smtp_app.test_request_context():
        send_template("reset@example.test", "reset", link="http://localhost/reset/1")
    with smtp_app.app_context():  # as for a sender started before `migrate`: no table
        database.db.execute_sql("ALTER TABLE mail_notice RENAME TO mail_notice_away")
        database.db.close()
    try:
        assert run_sender(smtp_app, once=True) == ["sent"]
    finally:
        with smtp_app.app_context():
            database.db.execute_sql("ALTER TABLE mail_notice_away RENAME TO mail_notice")
    assert [m["To"] for m in sink.messages()] == ["reset@example.test"]


def test_an_admin_sees_a_failed_notice_and_retries_it(smtp_app):
    with smtp_app.app_context():
        broken = MailNotice.create(kind="ticket_received", template="no_such_template",
                                   ticket_id=_file(factories.make_user()).id)
        for day in range(1, smtp_app.config["MAIL_SEND_MAX_ATTEMPTS"] + 2):
            mail_notices.expand_due(now=utcnow() + datetime.timedelta(days=day))
        admin = factories.make_user(role="admin")
        agent = factories.make_user(role="staff")
    assert factories.logged_in(smtp_app, agent).get("/admin/mail").status_code == 404  # admins only
    client = factories.logged_in(smtp_app, admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert f'data-notice="{broken.id}"' in page and "TemplateNotFound" in page
    url = f"/admin/mail/notices/{broken.id}/retry"
    assert client.post(url).status_code == 400  # no CSRF token
    answer = client.post(url, data={"csrf_token": factories.csrf_token(client, "/admin/mail")})
    assert answer.status_code == 302
    with smtp_app.app_context():
        again = MailNotice.get_by_id(broken.id)
        assert (again.attempts, again.last_error) == (0, "")
    assert client.post("/admin/mail/notices/999999/retry", data={"csrf_token": factories.csrf_token(client, "/admin/mail")}).status_code == 404


def test_a_batch_of_notices_is_one_transaction(smtp_app, monkeypatch):
    opened = []
    real = mail_notices.write_tx

    def counted():
        opened.append(1)
        return real()
    with smtp_app.app_context():
        for _ in range(3):
            _file(factories.make_user())
        monkeypatch.setattr(mail_notices, "write_tx", counted)
        assert mail_notices.expand_due() == 3 and len(opened) == 1


def test_going_back_past_0019_refuses_while_notices_wait(smtp_app):
    import importlib
    import pytest
    migration = importlib.import_module("migrations.0019_mail_notice")
    with smtp_app.app_context():
        _file(factories.make_user())
        with pytest.raises(RuntimeError, match="not written yet"):
            migration.down(None, database.db.obj)
        assert MailNotice.select().count() == 1


def test_a_waiting_notice_is_a_queued_mail_due_since_it_was_recorded(smtp_app):
    with smtp_app.app_context():
        _file(factories.make_user())
        recorded = MailNotice.get().created_at
        state = health.outbox_state(now=recorded + datetime.timedelta(minutes=10))
        assert state.queued == 1 and 599 <= state.oldest_due_seconds <= 601
        assert mail_notices.expand_due() == 1
        state = health.outbox_state(now=recorded + datetime.timedelta(minutes=10))
        assert state.queued == 1 and 599 <= state.oldest_due_seconds <= 601  # the mail, due since the filing


def test_later_refuses_what_the_sender_could_only_fail_on(smtp_app):
    import pytest
    from portal.services.errors import FieldError
    with smtp_app.app_context():
        ticket = factories.make_ticket(factories.make_user())
        with pytest.raises(FieldError):
            mail_notices.later(ticket, "no_such_kind", "ticket_received")
        with pytest.raises(ValueError, match="reader"):
            mail_notices.later(ticket, "ticket_received", "ticket_received", reader="no_such_reader")
        with pytest.raises(ValueError, match="cannot set"):
            mail_notices.later(ticket, "ticket_received", "ticket_received", link="https://elsewhere.test/")
        with pytest.raises(ValueError, match="plain JSON"):
            mail_notices.later(ticket, "ticket_received", "ticket_received", due=(1, 2))
        with pytest.raises(TypeError):
            mail_notices.later(ticket, "ticket_received", "ticket_received", when=utcnow())
        assert MailNotice.select().count() == 0


def test_the_mail_is_queued_as_of_the_filing_before_a_reply_queued_since(smtp_app, sink):
    with smtp_app.app_context():
        customer = factories.make_user(level="PRO")
        ticket = _file(customer)
        recorded = MailNotice.get().created_at
        tickets.add_reply(ticket, factories.make_user(role="staff", display_name="Ann"), "Try 8.1.0.3.")
        mail_sender.deliver_due(smtp_app.extensions["outbox"])
        received = OutboxMail.get(OutboxMail.kind == "ticket_received")
        assert received.created_at == recorded == received.next_attempt_at
    first, second = sink.messages()
    assert "We received your ticket" in first["Subject"] and "We received" not in second["Subject"]
    assert email.utils.parsedate_to_datetime(first["Date"]) == recorded.replace(microsecond=0)
