"""Queue a mail: one outbox row (and its files) in the caller's transaction, so the mail exists
exactly when the change that causes it was saved (issue 14: a durable outbox)."""
import contextlib
import datetime
import json
import secrets

from portal import prepared_writes
from portal.db import db, utcnow
from portal.models import OutboxAttachment, OutboxMail
from portal.services import runtime


def enqueue(to, subject, text, html="", *, kind="", ticket_id=None, auto=True, headers=None, attachments=(),
            queued_at=None):
    """Write the row; the sender delivers it later. `attachments` are (filename, content type, bytes).
    An empty `html` leaves the HTML part to the sender (portal.mail.send_mail). `queued_at` (default
    now) is when the change that causes it happened: the mail's Date and its place in the queue."""
    now = queued_at or utcnow()
    # the row and its files in one transaction: joining the caller's (a savepoint), or its own;
    # a row alone is one statement, atomic by itself (two fewer round trips on every filing)
    with db.atomic() if attachments else contextlib.nullcontext():
        mail = prepared_writes.create(
            OutboxMail, to=to, subject=" ".join(subject.splitlines()), text=text, html=html, kind=kind[:40],
            headers=json.dumps(dict(headers or {})), ticket_id=ticket_id, auto=bool(auto),
            token=secrets.token_hex(8), status="queued", next_attempt_at=now, created_at=now)
        for filename, content_type, data in attachments:
            OutboxAttachment.create(mail=mail, filename=filename, content_type=content_type, data=bytes(data))
    return mail


def retry_delay(attempts):
    """How long a mail (or a notice of one) waits after `attempts` failed tries: the first retry
    after MAIL_SEND_BACKOFF_SECONDS, doubling each time, at most MAIL_SEND_BACKOFF_MAX_SECONDS."""
    settings = runtime.current().settings
    delay = settings["MAIL_SEND_BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(delay, settings["MAIL_SEND_BACKOFF_MAX_SECONDS"]))
