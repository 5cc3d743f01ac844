"""In Debian's Chromium: a customer files a ticket, gets "we received", answers it by email and
sees the answer on the ticket page (issue 14, reply by email, policy 4.3)."""
import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

import pytest

from portal.inbound_server import controller
from portal.models import Ticket
from portal.services import reply_address
from tests import factories
from tests.e2e.conftest import free_port, log_in
from tests.e2e.test_tickets_browser import _file_ticket, _setup

pytestmark = pytest.mark.e2e


@pytest.fixture
def inbound_server(live_server):
    server = controller(live_server.app, "127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def test_customer_replies_by_mail_and_sees_it_on_the_page(page, live_server, inbound_server):
    raw = []  # the whole mails, headers included (the shared sink keeps only their text)
    sink_data = live_server.smtp.handle_DATA

    async def keep(server, session, envelope):
        raw.append(message_from_bytes(envelope.content, policy=policy.default))
        return await sink_data(server, session, envelope)
    live_server.smtp.handle_DATA = keep
    customer = _setup(live_server, level="PRO")
    log_in(page, live_server, customer.email, factories.PASSWORD)
    _file_ticket(page, live_server)
    with live_server.app.app_context():
        ticket = Ticket.get(Ticket.requester == customer.id)
    assert any("We received your ticket" in m["subject"] for m in live_server.smtp.messages)  # delivers
    mail = next(m for m in raw if m["To"] == customer.email and "We received" in str(m["Subject"]))
    assert f"#{ticket.id}" in str(mail["Subject"])
    reply_to = parseaddr(str(mail["Reply-To"]))[1]  # the signed address of this ticket
    assert reply_address.ticket_of(reply_to, live_server.app.config["SECRET_KEY"],
                                   live_server.app.config["MAIL_DOMAIN"]) == ticket.id
    answer = EmailMessage()
    answer["From"], answer["To"], answer["Subject"] = customer.email, reply_to, "Re: " + str(mail["Subject"])
    answer["Message-ID"] = "<answer-1@customer.test>"
    answer["In-Reply-To"] = mail["Message-ID"]
    answer.set_content("Version 8.1.0.3 connects, thank you!\n\n"
                       "On Wed, Dec 2, 2026 support wrote:\n> We received your ticket.\n")
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        assert smtp.send_message(answer) == {}
    page.reload()
    mine = page.locator("#messages li", has_text="Version 8.1.0.3 connects, thank you!")
    mine.wait_for()
    assert "On Wed, Dec 2" not in mine.inner_text()  # the quoted mail was stripped
    assert page.locator("#messages li").count() == 2  # the ticket's first message and the mailed reply
