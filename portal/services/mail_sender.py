"""The sender: delivers queued outbox rows through a mail backend, with retries and backoff.

Race-safe on both databases without locks held during SMTP: a row is claimed by ONE conditional
UPDATE (queued and due, or sending with an expired lease -> sending, new lease token), decided by
its row count, so two senders never hold the same row. Success is recorded by a second conditional
UPDATE on that lease token, together with the attempt row, in one transaction.

At-least-once window: a process that dies after the server accepted a mail but before that
commit leaves the row `sending`; when its lease runs out it is sent again (the same Message-ID,
so clients and servers can drop the copy). Nothing else sends a row twice.
"""
import datetime
import json
import logging
import secrets
import smtplib
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime

from portal.db import db, utcnow
from portal.models import MailAttempt, OutboxAttachment, OutboxMail
from portal.services import mail_notices, runtime
from portal.services.outbox import retry_delay
from portal.services.reply_address import address_for

log = logging.getLogger("portal.mail")


def _setting(name):
    return runtime.current().settings[name]


def message_id(mail, domain=None):
    return f"<mail-{int(mail.id)}.{mail.token}@{domain or _setting('MAIL_DOMAIN')}>"


def ticket_root(ticket_id, domain=None):
    """The thread root of a ticket's mails: stable, computable without a lookup."""
    return f"<ticket-{int(ticket_id)}@{domain or _setting('MAIL_DOMAIN')}>"


def _due(now):
    return (((OutboxMail.status == "queued") & (OutboxMail.next_attempt_at <= now))
            | ((OutboxMail.status == "sending") & (OutboxMail.lease_until <= now)))


def claim(limit=20, now=None):
    """Take up to `limit` due rows for this sender; returns (mail, lease token) pairs."""
    now = now or utcnow()
    lease = now + datetime.timedelta(seconds=_setting("MAIL_SEND_LEASE_SECONDS"))
    ids = [row.id for row in OutboxMail.select(OutboxMail.id).where(_due(now))
           .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)]
    claimed = []
    for mail_id in ids:
        token = secrets.token_hex(8)
        taken = (OutboxMail.update(status="sending", lease_until=lease, lease_token=token,
                                   attempts=OutboxMail.attempts + 1)
                 .where((OutboxMail.id == mail_id) & _due(now)).execute())
        if taken == 1:  # another sender took it meanwhile: 0 rows, skip
            claimed.append((OutboxMail.get_by_id(mail_id), token))
    return claimed


_POLICY = email_policy.default.clone(max_line_length=998)


def build(mail):
    """The EmailMessage of a row: headers for threading, text and HTML, files."""
    settings = runtime.current().settings
    domain = settings["MAIL_DOMAIN"]
    # lines up to RFC 5322's hard limit: a header with no space to fold at (List-Unsubscribe's URL)
    # would otherwise be rewritten as an encoded word, which mail clients do not read as a URL
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = settings["MAIL_FROM"]
    msg["To"] = mail.to
    msg["Subject"] = " ".join(mail.subject.splitlines())
    msg["Date"] = format_datetime(mail.created_at)
    msg["Message-ID"] = message_id(mail, domain)
    if mail.ticket_id is not None:
        root = ticket_root(mail.ticket_id, domain)
        msg["In-Reply-To"] = root
        msg["References"] = root
        msg["Reply-To"] = address_for(mail.ticket_id, settings["SECRET_KEY"], domain)
    if mail.auto:
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer
    for name, value in json.loads(mail.headers or "{}").items():
        if name.lower() not in {k.lower() for k in msg.keys()}:
            msg[name] = " ".join(str(value).splitlines())
    msg.set_content(mail.text)
    # rows queued since issue 16 leave the HTML part to this step (portal.mail.send_mail); a row
    # queued before keeps the one it was queued with
    html = mail.html or runtime.current().mail_html(mail.subject, mail.text)
    if html:
        msg.add_alternative(html, subtype="html")
    for part in OutboxAttachment.select().where(OutboxAttachment.mail == mail.id).order_by(OutboxAttachment.id):
        kind, _, rest = part.content_type.partition(";")
        maintype, subtype = kind.strip().split("/")
        params = dict(p.strip().split("=", 1) for p in rest.split(";") if "=" in p)
        msg.add_attachment(bytes(part.data), maintype=maintype, subtype=subtype, filename=part.filename,
                           params=params)
    return msg


def _answer(exc):
    """What the server said (or why it could not be reached); never our credentials."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {resp.decode(errors='replace') if isinstance(resp, bytes) else resp}"
                         for code, resp in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{exc.__class__.__name__}: {exc}"[:500]


def _permanent(exc):
    """A 5xx answer will not change by retrying (the address does not exist, the mail is refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _finish(mail, token, changes, outcome, answer):
    """Record the attempt and the row's new state in one transaction, if our lease still holds."""
    with db.atomic():
        done = (OutboxMail.update(**changes)
                .where((OutboxMail.id == mail.id) & (OutboxMail.status == "sending")
                       & (OutboxMail.lease_token == token)).execute())
        MailAttempt.create(mail=mail.id, at=utcnow(), outcome=outcome if done else f"{outcome}-late",
                           answer=answer[:2000])
    if not done:
        log.warning("mail %s: lease lost before the result was recorded", mail.id)


def deliver_one(mail, token, backend):
    """Hand one claimed row to the backend; returns its outcome (sent, retry, failed)."""
    try:
        answer = backend.deliver(build(mail)) or "accepted"
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        answer = _answer(exc)
        log.error("mail to %s failed: %s", mail.to.rpartition("@")[2], exc.__class__.__name__)
        now = utcnow()
        if _permanent(exc) or mail.attempts >= _setting("MAIL_SEND_MAX_ATTEMPTS"):
            _finish(mail, token, {"status": "failed", "last_error": answer, "lease_until": None}, "failed", answer)
            return "failed"
        _finish(mail, token, {"status": "queued", "last_error": answer, "lease_until": None,
                              "next_attempt_at": now + retry_delay(mail.attempts)}, "retry", answer)
        return "retry"
    _finish(mail, token, {"status": "sent", "sent_at": utcnow(), "lease_until": None, "last_error": ""},
            "sent", str(answer))
    return "sent"


def deliver_due(backend, limit=20, now=None):
    """Write the mails of the notices waiting (mail_notices), then deliver what is due now (one
    batch after another until none is left); returns the outcomes."""
    try:
        mail_notices.expand_due(now=now)
    except Exception as exc:  # noqa: BLE001 - the notices' trouble never holds back mail already queued
        log.error("mail notices not written this round: %s", exc.__class__.__name__)
    outcomes = []
    while True:
        batch = claim(limit, now)
        if not batch:
            return outcomes
        outcomes += [deliver_one(mail, token, backend) for mail, token in batch]


def retry(mail_id):
    """Put a failed row back in the queue (the admin's Retry); False if it is not failed."""
    return (OutboxMail.update(status="queued", next_attempt_at=utcnow(), attempts=0)
            .where((OutboxMail.id == mail_id) & (OutboxMail.status == "failed")).execute()) == 1
