"""The durable outbox (issue 14): mails as rows written with the change that causes them, their
attachments, and one row per delivery attempt. Expand only: three new tables."""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class OutboxMail(Model):
        to = CharField(max_length=320)
        kind = CharField(max_length=40, default='', index=True)
        subject = TextField()
        text = TextField()
        html = TextField(default='')
        headers = TextField(default='{}')
        ticket_id = IntegerField(null=True, index=True)
        auto = BooleanField(default=True)
        token = CharField(max_length=32)
        status = CharField(max_length=16, default='queued')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        lease_until = DateTimeField(null=True)
        lease_token = CharField(max_length=32, default='')
        last_error = TextField(default='')
        created_at = DateTimeField(index=True)
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_mail'
            indexes = ((('status', 'next_attempt_at'), False),)

    class OutboxAttachment(Model):
        mail = ForeignKeyField(OutboxMail, on_delete='CASCADE')
        filename = CharField(max_length=255)
        content_type = CharField(max_length=255)
        data = BlobField()
        class Meta:
            database = db
            table_name = 'outbox_attachment'

    class MailAttempt(Model):
        mail = ForeignKeyField(OutboxMail, on_delete='CASCADE')
        at = DateTimeField()
        outcome = CharField(max_length=16)
        answer = TextField(default='')
        class Meta:
            database = db
            table_name = 'mail_attempt'
    db.create_tables([OutboxMail, OutboxAttachment, MailAttempt])


def down(migrator, db):
    for table in ('mail_attempt', 'outbox_attachment', 'outbox_mail'):
        db.execute_sql(f'DROP TABLE IF EXISTS {table}')
