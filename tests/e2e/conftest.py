"""Real-browser fixtures: the app on a live port, a real SMTP server, Debian's Chromium."""
import contextlib
import os
import socket
import threading
import email.policy
from email import message_from_bytes
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.mail import _Delivered

from tests.conftest import app_env

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Received(_Delivered):
    """The sink's mails; reading them first lets the portal's sender deliver what is due (the real
    sender over real SMTP, run at once instead of waiting for its next poll)."""


class MailSink:
    """aiosmtpd handler keeping every received message."""

    def __init__(self):
        self.messages = _Received()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(("plain",)).get_content()
        list.append(self.messages, {"to": envelope.rcpt_tos, "subject": msg["Subject"], "body": body})
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    sink = MailSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def _drain(app, seconds=15):
    """Deliver what is due now, and wait for a mail the background sender has in hand (else a
    test reading the sink right then would miss it)."""
    import time
    from portal.mail import run_sender
    from portal.models import OutboxMail
    deadline = time.monotonic() + seconds
    while True:
        run_sender(app, once=True)
        with app.app_context():
            busy = OutboxMail.select().where(OutboxMail.status == "sending").exists()
        if not busy or time.monotonic() > deadline:
            return
        time.sleep(0.05)


@pytest.fixture
def live_server(db_url, tmp_path, smtp):
    """The portal served on a free loopback port; mails go to the real SMTP sink."""
    from portal.web import create_app
    env = app_env(db_url, tmp_path) | {"PORTAL_MAIL_BACKEND": "smtp", "PORTAL_MAIL_PORT": str(smtp.port)}
    app = create_app({"TESTING": False}, env=env)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    from portal.mail import run_sender
    stop = threading.Event()  # the sender, as uWSGI runs it beside the portal
    sender = threading.Thread(target=run_sender, args=(app,), kwargs={"stop": stop}, daemon=True)
    sender.start()
    smtp.messages.flush = lambda: _drain(app)
    server.app, server.url, server.smtp = app, f"http://127.0.0.1:{port}", smtp
    yield server
    smtp.messages.flush = None
    stop.set()
    sender.join(30)
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@contextlib.contextmanager
def browser_page(browser, request, suffix="", **context_options):
    """A page in a fresh browser context (`context_options` such as a viewport) collecting script
    errors; a screenshot when the test fails."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda m: page.js_errors.append(m.text) if m.type == "error" else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context; a screenshot is saved when the test fails."""
    with browser_page(browser, request) as page:
        yield page


def log_in(page, server, email, password):
    """Log in through the form."""
    page.goto(server.url + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button:has-text('Log in')")
