"""The outbox: SMTP in production, files or the console in development, memory in tests."""
import json
import smtplib
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import after_this_request, current_app, g, has_request_context


class Outbox:
    """Sends plain-text mails, with files attached where given (a calendar invitation);
    subclasses decide where they go."""

    def __init__(self, config):
        self.config = config

    def make(self, to, subject, body, attachments=()):
        """Build the message (plain text: nothing a mail client could run); `attachments` are
        (filename, content type with its parameters, bytes), e.g.
        ("invite.ics", "text/calendar; method=REQUEST", data)."""
        msg = EmailMessage()
        msg["From"] = self.config["MAIL_FROM"]
        msg["To"] = to
        # every line break str.splitlines knows (\u2028, \x85, \v ...): the email package refuses them all
        msg["Subject"] = " ".join(subject.splitlines())
        msg.set_content(body)
        for filename, content_type, data in attachments:
            kind, _, rest = content_type.partition(";")
            maintype, subtype = kind.strip().split("/")
            params = dict(p.strip().split("=", 1) for p in rest.split(";") if "=" in p)
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
        return msg

    def send(self, to, subject, body, attachments=()):
        self.deliver(self.make(to, subject, body, attachments))

    def deliver(self, msg):  # pragma: no cover - abstract
        raise NotImplementedError


class SMTPOutbox(Outbox):
    def deliver(self, msg):
        cfg = self.config
        with smtplib.SMTP(cfg["MAIL_HOST"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg["MAIL_STARTTLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)


class FileOutbox(Outbox):
    def deliver(self, msg):
        folder = Path(self.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"  # unique across uWSGI workers
        (folder / name).write_bytes(bytes(msg))


class ConsoleOutbox(Outbox):
    def deliver(self, msg):
        print(msg.as_string(), file=sys.stderr, flush=True)


class MemoryOutbox(Outbox):
    """Keeps mails in a list (tests that do not need a real SMTP server)."""

    def __init__(self, config):
        super().__init__(config)
        self.sent = []
        self._lock = threading.Lock()

    def deliver(self, msg):
        with self._lock:
            text = msg.get_body(("plain",))
            files = [(part.get_filename(), part.get_content_type(), part.get_param("method"),
                      part.get_payload(decode=True)) for part in msg.iter_attachments()]
            self.sent.append({"to": msg["To"], "subject": msg["Subject"], "body": text.get_content(),
                              "attachments": files})

    def dump(self):
        return json.dumps([{k: v for k, v in m.items() if k != "attachments"} for m in self.sent])


BACKENDS = {"smtp": SMTPOutbox, "file": FileOutbox, "console": ConsoleOutbox, "memory": MemoryOutbox}


def make_outbox(config):
    """The outbox named by MAIL_BACKEND."""
    return BACKENDS[config["MAIL_BACKEND"]](config)


def render_mail(template, **context):
    """(subject, body) of `templates/mail/<template>.txt`: its `subject` and `body` blocks.

    Plain text, not autoescaped (Flask escapes .html templates only): nothing in a text mail runs."""
    tpl = current_app.jinja_env.get_template(f"mail/{template}.txt")
    ctx = tpl.new_context(context)
    subject = " ".join("".join(tpl.blocks["subject"](ctx)).split())
    body = "".join(tpl.blocks["body"](ctx)).strip("\n") + "\n"
    return subject, body


def send_template(to, template, attachments=(), kind=None, auto=False, headers=None, **context):
    """Send the mail a template writes (see render_mail) through send_mail, with `attachments`
    (`kind`, `auto`, `headers`: the outbox's keywords of issue 14, ignored until it is merged)."""
    send_mail(to, *render_mail(template, **context), attachments=attachments)


def send_mail(to, subject, body, attachments=()):
    """Send one mail through the app's outbox, after the response when MAIL_DEFER is on.

    Deferring keeps SMTP time out of the response, so a page that mails only when an
    account exists (password reset) answers in the same time either way.
    """
    if current_app.config.get("MAIL_DEFER") and has_request_context():
        pending = g.setdefault("pending_mail", [])
        if not pending:
            app = current_app._get_current_object()

            @after_this_request
            def _send_after(response):
                response.call_on_close(lambda: _deliver_all(app, pending))
                return response
        pending.append((to, subject, body, tuple(attachments)))
        return
    _deliver(current_app, to, subject, body, attachments)


def _deliver_all(app, pending):
    with app.app_context():
        for to, subject, body, attachments in pending:
            _deliver(app, to, subject, body, attachments)


def _deliver(app, to, subject, body, attachments=()):
    """Hand one mail to the outbox; a failure is logged (domain only), never shown to the user."""
    try:
        app.extensions["outbox"].send(to, subject, body, attachments)
    except (OSError, smtplib.SMTPException) as exc:
        app.logger.error("mail to %s failed: %s", to.split("@")[-1], exc.__class__.__name__)
