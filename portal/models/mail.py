"""The durable outbox: one row per mail, written in the transaction of the change that causes it,
delivered later by the sender (portal/services/mail_sender.py), with a row per delivery attempt."""
from peewee import AutoField, BlobField, BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from portal.db import BaseModel, DateTimeField, utcnow

MAIL_STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMail(BaseModel):
    """A mail waiting for, being given, or given to the mail server. `token` is the random part
    of its Message-ID (`<mail-<id>.<token>@MAIL_DOMAIN>`), fixed when queued so every attempt
    sends the same id; `lease_token` names the sender that holds it while `sending`."""
    id = AutoField()
    to = CharField(max_length=320)
    kind = CharField(max_length=40, default="")  # no index: no query looks rows up by kind (0018)
    subject = TextField()
    text = TextField()
    html = TextField(default="")
    headers = TextField(default="{}")  # JSON: extra headers (List-Unsubscribe ...)
    ticket_id = IntegerField(null=True)  # threads the mail; no FK: a mail outlives nothing; no index (0018)
    auto = BooleanField(default=True)
    token = CharField(max_length=32)
    status = CharField(max_length=16, default="queued")
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    lease_until = DateTimeField(null=True)
    lease_token = CharField(max_length=32, default="")
    last_error = TextField(default="")  # the server's answer, never credentials
    created_at = DateTimeField(default=utcnow, index=True)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "outbox_mail"
        indexes = ((("status", "next_attempt_at"), False),)


class OutboxAttachment(BaseModel):
    id = AutoField()
    mail = ForeignKeyField(OutboxMail, backref="files", on_delete="CASCADE")
    filename = CharField(max_length=255)
    content_type = CharField(max_length=255)  # with its parameters: "text/calendar; method=REQUEST"
    data = BlobField()

    class Meta:
        table_name = "outbox_attachment"


class MailAttempt(BaseModel):
    """One try to hand a mail to the server: sent, retry (temporary failure) or failed (gave up)."""
    id = AutoField()
    mail = ForeignKeyField(OutboxMail, backref="tries", on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    outcome = CharField(max_length=16)
    answer = TextField(default="")

    class Meta:
        table_name = "mail_attempt"


class MailNotice(BaseModel):
    """A notification decided but not yet written as mail: the sender turns it into one outbox row
    per reader (portal/services/mail_notices.py), so the request that causes it writes one short
    row instead of choosing readers and rendering their mail (issue 16: filing a ticket).
    `context` is JSON of plain values; `reader` names what each reader's mail adds (their zone's
    times); `attempts` counts expansions that failed, each waiting out the outbox's backoff before
    the next; one that failed MAIL_SEND_MAX_ATTEMPTS times waits for an admin's Retry (/admin/mail)."""
    id = AutoField()
    kind = CharField(max_length=40)
    template = CharField(max_length=60)
    ticket_id = IntegerField()  # no FK: a notice of a ticket deleted meanwhile expands to nothing
    context = TextField(default="{}")
    reader = CharField(max_length=40, default="")
    auto = BooleanField(default=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")  # the error's name only
    next_attempt_at = DateTimeField(default=utcnow)  # after a failure, the outbox's backoff
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "mail_notice"
