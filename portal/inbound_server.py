"""The inbound SMTP server (aiosmtpd): reply by email (policy 4.3).

It takes mail only for a ticket's signed reply address and the plain support address (anything
else is refused at RCPT, 550), hands each mail to portal.services.inbound in an app context and
answers with what became of it. Start it with the portal (wsgi.ini attaches
`flask --app app portal receive-mail`) or alone with that command.
"""
import asyncio
import logging
import signal
import threading

from aiosmtpd.controller import Controller

from portal import db as database
from portal.services import inbound

log = logging.getLogger("portal.inbound")


def size_limit(app):
    """The largest mail taken: the upload limit as base64 carries it (4/3) plus room for the text
    and headers, so a file the web form takes also arrives by mail."""
    return app.config["MAX_CONTENT_LENGTH"] * 4 // 3 + 256 * 1024


class Handler:
    """aiosmtpd handler: RCPT checks the address, DATA stores through the inbound service."""

    def __init__(self, app):
        self.app = app

    def _in_app(self, work):
        with self.app.app_context(), database.db.connection_context():
            return work()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(None, self._in_app, lambda: inbound.accepts(address)):
            return "550 5.1.1 No such mailbox: only ticket reply addresses and the support address take mail"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        work = lambda: inbound.receive(envelope.mail_from, list(envelope.rcpt_tos), data)  # noqa: E731
        try:  # the database work runs off the event loop: one slow mail does not stall the others
            result = await asyncio.get_running_loop().run_in_executor(None, self._in_app, work)
        except Exception:  # the sending server keeps the mail and tries again later
            log.exception("inbound mail failed")
            return "451 4.3.0 Temporary failure; try again later"
        log.info("inbound mail: %s", result.outcome)
        return result.smtp


def controller(app, host=None, port=None):
    """An aiosmtpd Controller serving the portal's inbound mail (not started)."""
    return Controller(Handler(app), hostname=host or app.config["MAIL_INBOUND_HOST"],
                      port=int(port or app.config["MAIL_INBOUND_PORT"]),
                      server_hostname=app.config["MAIL_DOMAIN"], data_size_limit=size_limit(app),
                      ready_timeout=10)


def serve(app, host=None, port=None):
    """Run the server until SIGTERM or SIGINT (the command `portal receive-mail`)."""
    server = controller(app, host, port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    log.warning("inbound mail on %s:%s", server.hostname, server.port)
    try:
        stop.wait()
    finally:
        server.stop()
