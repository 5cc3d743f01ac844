"""Mail tests: a real SMTP server (aiosmtpd) that can be stopped and started again on its port,
and a portal app whose outbox goes to it through the real sender (no memory backend)."""
import email
import email.policy
import threading

import pytest

from tests import factories
from tests.conftest import serving_app
from tests.e2e.conftest import free_port


class Sink:
    """Keeps every raw message; answers 550 for addresses starting with `refused`."""

    def __init__(self):
        self.raw, self.lock = [], threading.Lock()
        self.port, self.controller = free_port(), None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.raw.append(envelope.content)
        return "250 2.0.0 queued as test"

    def start(self):
        from aiosmtpd.controller import Controller
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self):
        """Every received mail, parsed strictly (a defect raises)."""
        return [email.message_from_bytes(raw, policy=email.policy.strict) for raw in self.raw]


@pytest.fixture
def sink():
    server = Sink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(db_url, tmp_path, sink):
    """The portal with PORTAL_MAIL_BACKEND=smtp to the sink: mail waits in the outbox until the sender runs."""
    yield from serving_app(db_url, tmp_path, PORTAL_MAIL_BACKEND="smtp", PORTAL_MAIL_PORT=str(sink.port),
                           PORTAL_MAIL_DOMAIN="support.example.test")


def two_senders_at_once(app, work):
    """`work()` in two threads at once, each in its own app context and connection (two senders);
    returns what each returned."""
    from portal import db as database
    barrier, results = threading.Barrier(2), []

    def sender():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(work())
        finally:
            database.close_connection()
    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def in_ctx(smtp_app):
    return lambda fn: factories.in_app_context(smtp_app, fn)
