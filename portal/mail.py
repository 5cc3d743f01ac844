"""Mail: templates render a row of the durable outbox (portal/services/outbox.py); the sender
(portal/services/mail_sender.py) hands it to a backend: SMTP in production, files or the console
in development, memory in tests."""
import json
import re
import smtplib
import sys
import threading
import time
import uuid
from pathlib import Path

from flask import current_app, g, render_template
from markupsafe import Markup, escape


class Outbox:
    """A backend: `deliver(msg)` hands one built EmailMessage on and returns the server's answer."""

    def __init__(self, config):
        self.config = config

    def deliver(self, msg):  # pragma: no cover - abstract
        raise NotImplementedError


class _SMTP(smtplib.SMTP):
    """Keeps the answer to DATA (smtplib drops it): the admin outbox shows what the server said."""
    answer = ""

    def data(self, msg):
        code, text = super().data(msg)
        self.answer = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        return code, text


class SMTPOutbox(Outbox):
    def deliver(self, msg):
        cfg = self.config
        with _SMTP(cfg["MAIL_HOST"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg["MAIL_STARTTLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
            return smtp.answer


class FileOutbox(Outbox):
    def deliver(self, msg):
        folder = Path(self.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"  # unique across uWSGI workers
        (folder / name).write_bytes(bytes(msg))
        return f"written {name}"


class ConsoleOutbox(Outbox):
    def deliver(self, msg):
        print(msg.as_string(), file=sys.stderr, flush=True)
        return "printed"


class _Delivered(list):
    """The memory backend's list of mails; reading it first delivers what is due (`flush`), so a
    test that reads it after a service call sees the mail the outbox holds, as the sender would."""
    flush = None


def _reading(name):
    def read(self, *args):
        if self.flush is not None:
            self.flush()
        return getattr(list, name)(self, *args)
    return read


# clear() too: a test that forgets the mails so far forgets those still queued with them
for _name in ("__len__", "__getitem__", "__iter__", "__eq__", "__bool__", "__contains__", "__repr__",
              "__str__", "copy", "index", "count", "clear"):
    setattr(_Delivered, _name, _reading(_name))


class MemoryOutbox(Outbox):
    """Keeps mails in a list (tests that do not need a real SMTP server)."""

    def __init__(self, config):
        super().__init__(config)
        self.sent = _Delivered()
        self._lock = threading.Lock()

    def deliver(self, msg):
        with self._lock:
            text = msg.get_body(("plain",))
            html = msg.get_body(("html",))
            files = [(part.get_filename(), part.get_content_type(), part.get_param("method"),
                      part.get_payload(decode=True)) for part in msg.iter_attachments()]
            list.append(self.sent, {"to": msg["To"], "subject": msg["Subject"], "body": text.get_content(),
                                    "html": html.get_content() if html else "", "attachments": files,
                                    "headers": {k: str(v) for k, v in msg.items()}})
        return "kept in memory"

    def dump(self):
        return json.dumps([{k: v for k, v in m.items() if k not in ("attachments", "headers")} for m in self.sent])


BACKENDS = {"smtp": SMTPOutbox, "file": FileOutbox, "console": ConsoleOutbox, "memory": MemoryOutbox}


def make_outbox(config):
    """The backend named by MAIL_BACKEND."""
    return BACKENDS[config["MAIL_BACKEND"]](config)


def render_mail(template, **context):
    """(subject, body) of `templates/mail/<template>.txt`: its `subject` and `body` blocks.

    Plain text, not autoescaped (Flask escapes .html templates only): nothing in a text mail runs."""
    tpl = current_app.jinja_env.get_template(f"mail/{template}.txt")
    ctx = tpl.new_context(context)
    subject = " ".join("".join(tpl.blocks["subject"](ctx)).split())
    body = "".join(tpl.blocks["body"](ctx)).strip("\n") + "\n"
    return subject, body


_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def _linked(line):
    """One line of text as HTML: escaped, its http(s) links clickable."""
    out, last = Markup(""), 0
    for found in _LINK.finditer(line):
        out += escape(line[last:found.start()]) + Markup('<a href="{0}">{0}</a>').format(found.group())
        last = found.end()
    return out + escape(line[last:])


def text_to_html(subject, body):
    """The HTML part of a mail, from its text (templates/mail/_layout.html): every character escaped,
    blank lines make paragraphs, links clickable. NOTIFY's templates stay text only."""
    paragraphs = [Markup("<br>\n").join(_linked(line) for line in block.splitlines())
                  for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
    return render_template("mail/_layout.html", subject=subject, paragraphs=paragraphs)


def send_template(to, template, *, kind="", ticket=None, attachments=(), auto=True, headers=None, queued_at=None,
                  **context):
    """Queue the mail a template writes (see render_mail) in the current transaction.

    `kind` names the notification (default: the template); `ticket` threads it and sets the
    signed Reply-To (it is also in the template's context); `attachments` are (filename, content
    type, bytes); `auto` adds Auto-Submitted: auto-generated; `headers` are sent as given."""
    if ticket is not None:
        context["ticket"] = ticket
    subject, body = render_mail(template, **context)
    return send_mail(to, subject, body, attachments=attachments, kind=kind or template,
                     ticket_id=ticket.id if ticket is not None else None, auto=auto, headers=headers,
                     queued_at=queued_at)


def send_mail(to, subject, body, attachments=(), *, kind="", ticket_id=None, auto=True, headers=None, queued_at=None):
    """Queue one mail as an outbox row; the sender delivers it. Its HTML part is a function of the
    text alone (text_to_html), so the sender writes it as it builds the mail (mail_sender.build):
    the request that queues the mail does not pay for it (issue 16), and the row holds the text once."""
    from portal.services.outbox import enqueue
    g.mail_queued = True  # the memory backend (tests) delivers after this request
    return enqueue(to, subject, body, kind=kind, ticket_id=ticket_id, auto=auto, headers=headers,
                   attachments=attachments, queued_at=queued_at)


def mail_noticed():
    """A notice the sender turns into mail was recorded (services.mail_notices.later)."""
    g.mail_queued = True  # the memory backend (tests) writes and delivers it after this request


def memory_flush(app):
    """Deliver due rows through the memory backend right away (tests): after each request and
    whenever a test reads the outbox. Production and the browser tests run the real sender."""
    from portal import db as database
    from portal.services.mail_sender import deliver_due
    busy = threading.local()

    def flush():
        if getattr(busy, "on", False):
            return
        busy.on = True
        opened = database.db.is_closed()
        try:
            with app.app_context():
                database.db.connect(reuse_if_open=True)
                deliver_due(app.extensions["outbox"])
        finally:
            busy.on = False
            if opened and not database.is_sqlite():
                database.close_connection()
    return flush


def run_sender(app, once=False, stop=None):
    """The sender loop (`flask --app app portal send-mail`, the uWSGI daemon, the browser tests):
    deliver what is due, sleep MAIL_SEND_POLL_SECONDS, again; `once` for cron and tests; `stop`
    (a threading.Event) ends it. A database error waits for the next round instead of ending it.
    Each round also adds the tickets filed since the last one to the search index (SQLite: it is
    the one background process beside the workers; portal/services/search_index.py)."""
    from peewee import InterfaceError, OperationalError
    from portal import db as database
    from portal.services import search_index
    from portal.services.mail_sender import deliver_due
    stop = stop or threading.Event()
    while True:
        outcomes = []
        opened = database.db.is_closed()  # a connection this thread had stays open (tests)
        with app.app_context():
            try:
                database.db.connect(reuse_if_open=True)
                outcomes = deliver_due(app.extensions["outbox"])
                search_index.try_catch_up()  # its trouble is logged and never stops the mail
            except (OperationalError, InterfaceError) as exc:
                app.logger.error("mail sender: database unavailable: %s", exc.__class__.__name__)
            finally:
                if opened:
                    database.close_connection()
        if once or stop.wait(app.config["MAIL_SEND_POLL_SECONDS"] if not outcomes else 0):
            return outcomes
