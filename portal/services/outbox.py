"""Queue a mail: one outbox row (and its files) in the caller's transaction, so the mail exists
exactly when the change that causes it was saved (issue 14: a durable outbox)."""
import json
import secrets

from portal.db import db, utcnow
from portal.models import OutboxAttachment, OutboxMail


def enqueue(to, subject, text, html="", *, kind="", ticket_id=None, auto=True, headers=None, attachments=()):
    """Write the row; the sender delivers it later. `attachments` are (filename, content type, bytes)."""
    now = utcnow()
    with db.atomic():  # joins the caller's transaction (a savepoint), or is its own
        mail = OutboxMail.create(
            to=to, subject=" ".join(subject.splitlines()), text=text, html=html, kind=kind[:40],
            headers=json.dumps(dict(headers or {})), ticket_id=ticket_id, auto=bool(auto),
            token=secrets.token_hex(8), status="queued", next_attempt_at=now, created_at=now)
        for filename, content_type, data in attachments:
            OutboxAttachment.create(mail=mail, filename=filename, content_type=content_type, data=bytes(data))
    return mail
