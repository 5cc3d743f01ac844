"""Reply by email (issue 14, policy 4.3): the inbound SMTP server started in-process (aiosmtpd),
replies sent with smtplib; on SQLite and PostgreSQL (PORTAL_TEST_DATABASE_URL)."""
import dataclasses
import smtplib
from email.message import EmailMessage

import pytest

from portal.models import Attachment, AttachmentBlob, Message, Ticket
from portal.models.inbound import InboundMail
from portal.services import attachments, reply_address
from tests import factories
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def inbound(app):
    """The inbound server on a free loopback port: yields a function that sends one mail with
    smtplib and returns the refusals ({} when every recipient took it) or raises the SMTP error."""
    from portal.inbound_server import controller
    server = controller(app, "127.0.0.1", free_port())
    server.start()

    def send(msg, sender=None, to=None):
        with smtplib.SMTP(server.hostname, server.port, timeout=10) as smtp:
            return smtp.send_message(msg, from_addr=sender, to_addrs=to)
    send.port = server.port
    yield send
    server.stop()


@pytest.fixture
def people(app):
    with app.app_context():
        customer = factories.make_user(level="PRO")
        ticket = factories.make_ticket(customer)
        address = reply_address.address_for(ticket.id)
    return customer, ticket, address


def reply(sender, to, body="Thanks, version 7.6 fixed it.", message_id=None, **headers):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, "Re: [Ticket #1] Viewer cannot connect"
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body + "\n\nOn Tue, Dec 1, 2026 at 10:00 AM Support <support@portal.test> wrote:\n"
                           "> Please try version 7.6.\n> It should connect.\n")
    return msg


def messages(ticket):
    return list(Message.select().where(Message.ticket == ticket.id).order_by(Message.id))


def test_a_reply_lands_on_the_ticket_quote_stripped_attachment_stored(app, inbound, people):
    customer, ticket, address = people
    msg = reply(customer.email, address, "Thanks, version 7.6 fixed it.\n\n-- \nAnn Smith\nACME Corp",
                message_id="<r1@customer.test>")
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="screen shot.png")
    assert inbound(msg) == {}
    last = messages(ticket)[-1]
    assert last.author_id == customer.id and last.body == "Thanks, version 7.6 fixed it."
    files = list(Attachment.select().where(Attachment.message == last.id))
    assert [(f.filename, f.content_type) for f in files] == [("screen_shot.png", "image/png")]
    with app.app_context():  # through the configured store, the web form's (the database by default)
        assert attachments.read_bytes(files[0]) == PNG
    assert bytes(AttachmentBlob.get(AttachmentBlob.attachment == files[0].id).data) == PNG
    assert Ticket.get_by_id(ticket.id).awaiting_staff


def test_redelivery_stores_one_reply(app, inbound, people):
    customer, ticket, address = people
    before = len(messages(ticket))
    for _ in range(3):
        assert inbound(reply(customer.email, address, message_id="<same@customer.test>")) == {}
    assert len(messages(ticket)) == before + 1
    assert InboundMail.select().where(InboundMail.message_key == "<same@customer.test>").count() == 1


@pytest.mark.parametrize("case", ["forged_sender", "foreign_envelope", "wrong_signature", "other_ticket"])
def test_refused_mail_changes_nothing(app, inbound, people, outbox, case):
    customer, ticket, address = people
    with app.app_context():
        stranger = factories.make_user(level="PRO")
        other = factories.make_ticket(stranger)
    sender, envelope, to = customer.email, None, address
    if case == "forged_sender":
        sender = stranger.email
    elif case == "foreign_envelope":
        envelope = "someone@elsewhere.test"
    elif case == "wrong_signature":
        to = address.replace(address.split(".")[1][:4], "0000")
    else:  # the stranger's own ticket address does not let them answer the customer's ticket
        to = address.replace(f"+t{ticket.id}.", f"+t{other.id}.")
    before = len(messages(ticket))
    with pytest.raises((smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)) as refused:
        inbound(reply(sender, to), sender=envelope)
    assert "550" in str(refused.value)
    assert len(messages(ticket)) == before and outbox == []


def test_unknown_address_is_refused_at_rcpt(app, inbound, people):
    customer, _, _ = people
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        inbound(reply(customer.email, "sales@portal.test"))
    assert refused.value.recipients["sales@portal.test"][0] == 550
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        inbound(reply(customer.email, "support@elsewhere.test"))


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"},
                                     {"X-Autoreply": "yes"}, {"envelope": "<>"},
                                     {"Message-ID": "<mail-1.abc@portal.test>"}])
def test_auto_replies_bounces_and_loops_change_nothing(app, inbound, people, outbox, headers):
    customer, ticket, address = people
    headers = dict(headers)
    envelope = headers.pop("envelope", None)
    before = len(messages(ticket))
    for to in (address, "support@portal.test"):  # neither stored nor answered
        msg = reply(customer.email, to, "I am out of office until Monday.")
        for name, value in headers.items():
            del msg[name]
            msg[name] = value
        assert inbound(msg, sender=envelope) == {}
    assert len(messages(ticket)) == before and outbox == []


def test_a_reply_to_a_solved_ticket_reopens_it(app, inbound, people):
    customer, ticket, address = people
    Ticket.update(status="solved", awaiting_staff=False).where(Ticket.id == ticket.id).execute()
    inbound(reply(customer.email, address, "It broke again after the reboot."))
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.status, fresh.awaiting_staff) == ("open", True)
    assert messages(ticket)[-1].body == "It broke again after the reboot."


def test_a_reply_to_a_closed_ticket_is_answered_with_a_new_ticket_link(app, inbound, people, outbox):
    customer, ticket, address = people
    Ticket.update(status="closed").where(Ticket.id == ticket.id).execute()
    before = len(messages(ticket))
    assert inbound(reply(customer.email, address, "One more question.")) == {}
    assert len(messages(ticket)) == before and Ticket.get_by_id(ticket.id).status == "closed"
    assert [m["to"] for m in outbox] == [customer.email]
    assert "http://localhost/tickets/new" in outbox[0]["body"] and "closed" in outbox[0]["subject"]


def test_policy_4_3_unknown_mail_gets_one_polite_answer(app, inbound, outbox):
    for n in range(2):  # the second mail in the hour is not answered again
        assert inbound(reply("someone@customer.test", "support@portal.test", f"Can you help? {n}")) == {}
    assert [m["to"] for m in outbox] == ["someone@customer.test"]
    assert "http://localhost/tickets/new" in outbox[0]["body"] and "policy 4.3" in outbox[0]["body"]


def test_policy_4_3_unknown_mail_ignored_when_the_decision_says_so(app, inbound, outbox):
    policy = app.extensions["runtime"].policy
    original = policy.mail
    policy.mail = dataclasses.replace(original, unknown_mail="ignore")
    try:
        assert inbound(reply("someone@customer.test", "support@portal.test")) == {}
    finally:
        policy.mail = original
    assert outbox == []


def test_policy_8_5_credentials_are_refused_with_a_pointer_mail(app, inbound, people, outbox):
    customer, ticket, address = people
    before = len(messages(ticket))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        inbound(reply(customer.email, address, "Here you go: login admin password: Hunter2-Secret!"))
    assert refused.value.smtp_code == 550
    assert len(messages(ticket)) == before
    assert [m["to"] for m in outbox] == [customer.email]
    assert f"http://localhost/tickets/{ticket.id}#credentials" in outbox[0]["body"]


def test_a_partner_colleague_may_reply_a_stranger_partner_may_not(app, inbound):
    with app.app_context():
        partner, (manager, member) = factories.make_partner(members=1)
        _, (foreign,) = factories.make_partner()
        ticket = factories.make_ticket(manager, partner=partner)
        address = reply_address.address_for(ticket.id)
    assert inbound(reply(member.email, address, "I am the colleague: it works now.")) == {}
    assert messages(ticket)[-1].author_id == member.id  # policy 3.1 Decision: visibility "all"
    with pytest.raises(smtplib.SMTPDataError):
        inbound(reply(foreign.email, address, "Not my ticket."))


def test_a_disallowed_attachment_refuses_the_reply(app, inbound, people, outbox):
    customer, ticket, address = people
    before = len(messages(ticket))
    msg = reply(customer.email, address, "See the attached program.")
    msg.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="fix.exe")
    with pytest.raises(smtplib.SMTPDataError):
        inbound(msg)
    assert len(messages(ticket)) == before and "not added" in outbox[0]["subject"]


def test_the_same_mail_delivered_twice_at_once_stores_one_reply(app, inbound, people):
    """Two SMTP connections deliver one Message-ID together (a retrying MTA): each DATA runs in
    its own thread and database connection; one reply is stored, both deliveries get 250."""
    import threading
    customer, ticket, address = people
    for round_ in range(3):
        before = len(messages(ticket))
        barrier, results = threading.Barrier(2), []

        def deliver():
            msg = reply(customer.email, address, f"Round {round_}: it works.", message_id=f"<race{round_}@c.test>")
            barrier.wait(timeout=10)
            results.append(inbound(msg))
        workers = [threading.Thread(target=deliver) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=30)
        assert results == [{}, {}]
        assert len(messages(ticket)) == before + 1


def test_an_html_only_reply_is_kept_as_text(app, inbound, people):
    customer, ticket, address = people
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = customer.email, address, "Re: ticket"
    msg.set_content("<p>It works <b>now</b> &amp; thanks.</p><script>alert(1)</script>"
                    "<blockquote>On Tue, Dec 1, 2026 Support wrote:</blockquote>", subtype="html")
    assert inbound(msg) == {}
    assert messages(ticket)[-1].body.startswith("It works now & thanks.")
    assert "alert" not in messages(ticket)[-1].body


def test_staff_do_not_reply_by_mail(app, inbound, people):
    """Staff answer in the console (held replies, first response): a staff sender is refused."""
    _, ticket, address = people
    with app.app_context():
        agent = factories.make_user(role="staff")
    with pytest.raises(smtplib.SMTPDataError):
        inbound(reply(agent.email, address, "Staff answer by mail."))
    assert all(m.author_id != agent.id for m in messages(ticket))


def test_policy_4_3_solved_answered_as_closed_when_the_decision_says_so(app, inbound, people, outbox):
    customer, ticket, address = people
    Ticket.update(status="solved").where(Ticket.id == ticket.id).execute()
    policy = app.extensions["runtime"].policy
    original = policy.mail
    policy.mail = dataclasses.replace(original, reply_to_solved="answer_new_ticket")
    try:
        assert inbound(reply(customer.email, address, "Again?")) == {}
    finally:
        policy.mail = original
    assert Ticket.get_by_id(ticket.id).status == "solved" and "is solved" in outbox[0]["subject"]


def test_a_mail_larger_than_the_upload_limit_is_refused(app, people):
    """The size limit is the upload limit as base64 carries it (portal.inbound_server.size_limit)."""
    from portal.inbound_server import controller
    customer, ticket, address = people
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    server = controller(app, "127.0.0.1", free_port())
    server.start()
    try:
        msg = reply(customer.email, address, "Big log attached.")
        msg.add_attachment(b"log line\n" * 250_000, maintype="text", subtype="plain", filename="big.log")
        before = len(messages(ticket))
        with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
            with smtplib.SMTP(server.hostname, server.port, timeout=10) as smtp:
                smtp.send_message(msg)
        assert refused.value.smtp_code == 552  # refused at MAIL FROM SIZE= (or DATA) before anything is read
        assert len(messages(ticket)) == before
    finally:
        server.stop()
