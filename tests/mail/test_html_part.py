"""The HTML part of a queued mail is written by the sender from the row's text (issue 16): the
mail delivered is the one the request used to build, byte for byte, and the row keeps nothing
more than before (no HTML copy of the text, nothing of the template's context)."""
from portal.mail import send_mail, send_template, text_to_html
from portal.models import OutboxMail
from portal.services import mail_notices, mail_sender, tickets
from tests import factories

SUBJECT = "[Ticket #7] We received your ticket: Host <b>loses</b> the relay"
TEXT = ('We received your ticket #7 "Host <b>loses</b> the relay".\n\nSee https://example.test/kb?a=1&b=<2>.\n'
        "Second line & more.\n\n\nLast paragraph.\n")
# what portal.mail.text_to_html made for this mail inside the request before issue 16
HTML = ('<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width"><title>[Ticket #7] We received your ticket: Host &lt;b&gt;loses&lt;/b&gt; '
        'the relay</title></head>\n<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; '
        'margin: 0 auto; padding: 1em;">\n<p>We received your ticket #7 &#34;Host &lt;b&gt;loses&lt;/b&gt; the '
        'relay&#34;.</p>\n<p>See <a href="https://example.test/kb?a=1&amp;b=">https://example.test/kb?a=1&amp;b='
        '</a>&lt;2&gt;.<br>\nSecond line &amp; more.</p>\n<p>Last paragraph.</p>\n</body>\n</html>')


def _delivered(app, outbox):
    with app.app_context():
        [sent] = list(outbox)
    return sent


def test_the_html_part_is_the_one_the_request_made_and_the_row_holds_only_the_text(app, outbox):
    with app.test_request_context():
        assert text_to_html(SUBJECT, TEXT) == HTML  # the function itself is unchanged
        send_mail("a@example.test", SUBJECT, TEXT, kind="ticket_received", ticket_id=7)
        row = OutboxMail.get()
        assert (row.subject, row.text, row.html) == (SUBJECT, TEXT, "")
    sent = _delivered(app, outbox)
    assert sent["html"].rstrip("\n") == HTML and sent["body"] == TEXT and sent["subject"] == SUBJECT


def test_a_row_queued_with_its_html_is_sent_with_that_html(app, outbox):
    with app.test_request_context():
        from portal.services.outbox import enqueue
        enqueue("b@example.test", "Old row", "Text.\n", "<p>kept as queued</p>")
    assert _delivered(app, outbox)["html"].rstrip("\n") == "<p>kept as queued</p>"


def test_the_ticket_received_mail_says_what_it_said(app, outbox):
    with app.test_request_context():
        customer = factories.make_user(level="PRO", time_zone="Europe/Berlin")
        ticket = tickets.create_ticket(customer, "Remote Utilities", "8.1.0.3", "Viewer <cannot> connect",
                                       "It does not connect after the update & the log says so.", accept_policy=True)
        assert mail_notices.expand_due() == 1  # the sender's first step writes the mail
        row = OutboxMail.get()
        # the text and headers rendered (by the sender now); the HTML the request used to add
        expected_html = text_to_html(row.subject, row.text)
        assert row.html == "" and "Viewer <cannot> connect" in row.text
        built = mail_sender.build(row)
    assert built.get_body(("html",)).get_content().rstrip("\n") == expected_html
    sent = _delivered(app, outbox)
    assert sent["html"].rstrip("\n") == expected_html and sent["body"] == row.text
    assert sent["to"] == customer.email and sent["subject"] == f"[Ticket #{ticket.id}] We received your ticket: Viewer <cannot> connect"
    assert sent["headers"]["Message-ID"] == f"<mail-{row.id}.{row.token}@{app.config['MAIL_DOMAIN']}>"


def test_a_template_mail_sent_outside_a_request_has_its_html_too(app, outbox):
    with app.app_context():  # a command or the sender's own context: no request
        send_template("c@example.test", "reset", link="http://localhost/reset/1")
        row = OutboxMail.get()
        expected = text_to_html(row.subject, row.text)
    assert "<p>" in expected and _delivered(app, outbox)["html"].rstrip("\n") == expected
