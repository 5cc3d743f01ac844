"""The durable outbox (issue 14): a mail is a row written with its change; the sender delivers it
to a real SMTP server with Date, Message-ID, threading and Auto-Submitted, retries while the
server is down, and never delivers one row twice (two senders, a sender that died)."""
import datetime
import email.utils
from collections import Counter

from portal.db import utcnow
from portal.mail import run_sender
from portal.models import MailAttempt, OutboxMail
from portal.services import mail_sender, reply_address, tickets
from tests import factories
from tests.mail.conftest import two_senders_at_once


def _later(**delta):
    return utcnow() + datetime.timedelta(**delta)


def _staff_replies(app, texts):
    with app.app_context():
        customer = factories.make_user(level="PRO")
        staff = factories.make_user(role="staff", display_name="Ann")
        ticket = factories.make_ticket(customer)
        for text in texts:
            tickets.add_reply(ticket, staff, text)
        return customer, ticket


def _deliver(app, **kwargs):
    """One sender round (in an app context, as the sender loop runs)."""
    with app.app_context():
        return mail_sender.deliver_due(app.extensions["outbox"], **kwargs)


def _queue(app, count, prefix="c"):
    from portal.mail import send_template
    with app.test_request_context():
        for i in range(count):
            send_template(f"{prefix}{i}@example.test", "reset", link=f"http://localhost/reset/{i}")


def test_a_mail_waits_in_the_outbox_until_the_sender_runs(smtp_app, sink):
    _queue(smtp_app, 1)
    assert sink.raw == [] and OutboxMail.get().status == "queued"
    assert run_sender(smtp_app, once=True) == ["sent"]
    row = OutboxMail.get()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert [(a.outcome, a.answer) for a in MailAttempt.select()] == [("sent", "250 2.0.0 queued as test")]
    assert len(sink.raw) == 1


def test_ticket_mails_are_one_thread_with_correct_headers(smtp_app, sink):
    customer, ticket = _staff_replies(smtp_app, ["First answer: see https://example.test/kb?a=1&b=<2>.",
                                                 "Second answer."])
    _queue(smtp_app, 1, prefix="auto")
    run_sender(smtp_app, once=True)
    mails = sink.messages()  # email.policy.strict: a malformed header raises here
    replies = [m for m in mails if m["To"] == customer.email]
    assert len(replies) == 2
    root = f"<ticket-{ticket.id}@support.example.test>"
    ids = [m["Message-ID"] for m in replies]
    assert len(set(ids)) == 2 and all(i.startswith("<mail-") and i.endswith("@support.example.test>") for i in ids)
    with smtp_app.app_context():
        expected_reply_to = reply_address.address_for(ticket.id)
    for mail in replies:
        assert mail["In-Reply-To"] == root and mail["References"] == root
        assert mail["Reply-To"] == expected_reply_to
        assert email.utils.parsedate_to_datetime(mail["Date"]).tzinfo is not None
        assert mail["Auto-Submitted"] is None  # a person wrote it: autoresponders may answer
        assert mail.get_content_type() == "multipart/alternative"
    html = replies[0].get_body(("html",)).get_content()
    assert '<a href="https://example.test/kb?a=1&amp;b=">https://example.test/kb?a=1&amp;b=</a>&lt;2&gt;' in html
    assert "First answer" in replies[0].get_body(("plain",)).get_content()
    auto = next(m for m in mails if m["To"] == "auto0@example.test")
    assert auto["Auto-Submitted"] == "auto-generated" and auto["In-Reply-To"] is None and auto["Date"]


def test_server_down_for_a_while_every_mail_arrives_once_after(smtp_app, sink):
    sink.stop()
    _queue(smtp_app, 3)
    assert run_sender(smtp_app, once=True) == ["retry"] * 3
    rows = list(OutboxMail.select())
    assert all(r.status == "queued" and r.attempts == 1 and "Connection" in r.last_error for r in rows)
    assert all(r.next_attempt_at > utcnow() for r in rows)  # backoff: not before its time
    assert _deliver(smtp_app, now=_later(minutes=1, seconds=5)) == ["retry"] * 3
    sink.start()
    assert run_sender(smtp_app, once=True) == []  # still backing off
    assert _deliver(smtp_app, now=_later(hours=3)) == ["sent"] * 3
    assert _deliver(smtp_app, now=_later(days=3)) == []
    counts = Counter(m["Message-ID"] for m in sink.messages())
    assert len(counts) == 3 and set(counts.values()) == {1}
    assert sorted(a.outcome for a in MailAttempt.select()) == ["retry"] * 6 + ["sent"] * 3


def test_a_refused_address_fails_at_once_with_the_servers_answer(smtp_app, sink):
    _queue(smtp_app, 1, prefix="refused")
    assert run_sender(smtp_app, once=True) == ["failed"]
    row = OutboxMail.get()
    assert row.status == "failed" and row.last_error.startswith("550 5.1.1 no such mailbox")
    assert "password" not in row.last_error.lower()


def test_after_the_last_attempt_a_mail_is_failed(smtp_app, sink):
    smtp_app.config["MAIL_SEND_MAX_ATTEMPTS"] = 2
    sink.stop()
    _queue(smtp_app, 1)
    assert _deliver(smtp_app) == ["retry"]
    assert _deliver(smtp_app, now=_later(hours=1)) == ["failed"]
    assert OutboxMail.get().status == "failed"


def test_two_senders_at_once_deliver_each_row_once(smtp_app, sink):
    _queue(smtp_app, 24)
    outcomes = [o for each in two_senders_at_once(smtp_app, lambda: _deliver(smtp_app, limit=3)) for o in each]
    counts = Counter(m["Message-ID"] for m in sink.messages())
    assert len(counts) == 24 and set(counts.values()) == {1}
    assert outcomes.count("sent") == 24 and OutboxMail.select().where(OutboxMail.status == "sent").count() == 24
    assert MailAttempt.select().count() == 24


def test_a_sender_that_died_leaves_a_row_the_lease_returns(smtp_app, sink):
    _queue(smtp_app, 1)
    with smtp_app.app_context():
        [(mail, _token)] = mail_sender.claim()  # ... and the process dies before delivering
    assert OutboxMail.get().status == "sending"
    assert run_sender(smtp_app, once=True) == []  # the lease still holds: nobody else sends it
    lease = smtp_app.config["MAIL_SEND_LEASE_SECONDS"]
    assert _deliver(smtp_app, now=_later(seconds=lease + 1)) == ["sent"]
    row = OutboxMail.get()
    assert row.status == "sent" and row.attempts == 2 and len(sink.raw) == 1


def test_a_late_result_after_the_lease_was_taken_over_changes_nothing(smtp_app, sink):
    """The old holder's success does not overwrite the new holder's row (its lease token differs)."""
    _queue(smtp_app, 1)
    with smtp_app.app_context():
        [(mail, old)] = mail_sender.claim()
        [(mail, new)] = mail_sender.claim(now=_later(seconds=smtp_app.config["MAIL_SEND_LEASE_SECONDS"] + 1))
        mail_sender._finish(mail, old, {"status": "sent"}, "sent", "250 late")
        assert OutboxMail.get().status == "sending"
        mail_sender._finish(mail, new, {"status": "sent"}, "sent", "250 ok")
    assert OutboxMail.get().status == "sent"
    assert sorted(a.outcome for a in MailAttempt.select()) == ["sent", "sent-late"]


def test_a_staff_reply_that_rolls_back_queues_no_mail(smtp_app, sink):
    """The outbox row is in the reply's transaction: no reply, no mail."""
    import pytest
    from portal.services.errors import Conflict
    customer, ticket = _staff_replies(smtp_app, [])
    with smtp_app.app_context():
        staff = factories.make_user(role="staff")
        with pytest.raises(Conflict):
            tickets.add_reply(ticket, staff, "Answer on an old view", seen_revision=ticket.revision - 1)
    assert OutboxMail.select().count() == 0


def test_send_mail_command_once(smtp_app, sink):
    _queue(smtp_app, 2)
    result = smtp_app.test_cli_runner().invoke(args=["portal", "send-mail", "--once"])
    assert result.exit_code == 0 and "2 sent, 0 to retry, 0 failed." in result.output
    assert len(sink.raw) == 2


def test_the_unsubscribe_headers_reach_the_server_as_a_url_not_an_encoded_word(smtp_app, sink):
    with smtp_app.app_context():
        customer = factories.make_user(level="PRO")
        ticket = factories.make_ticket(customer)
        tickets.add_reply(ticket, factories.make_user(role="staff"), "An answer.")
    run_sender(smtp_app, once=True)
    raw = next(r for r, m in zip(sink.raw, sink.messages()) if m["To"] == customer.email)
    # as sent, not as a parser decodes it: an encoded word (=?utf-8?q?...) is no URL to a mail client
    assert b"\nList-Unsubscribe: <http" in raw.replace(b"\r\n", b"\n") and b"/account/unsubscribe/" in raw
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw.replace(b"\r\n", b"\n")
