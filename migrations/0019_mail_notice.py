"""Notifications the sender writes (issue 16): a ticket filed records one short row naming the
notification, and the mail sender turns it into the readers' mails (portal/services/mail_notices.py).
Expand only: one new table. Deploy the sender before the app nodes (docs/deployment.md): an older
sender does not read the table, and its notices wait, unsent but kept, until a newer one runs."""
from peewee import *

from portal.db import DateTimeField, utcnow

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class MailNotice(Model):
        kind = CharField(max_length=40)
        template = CharField(max_length=60)
        ticket_id = IntegerField()
        context = TextField(default="{}")
        reader = CharField(max_length=40, default="")
        auto = BooleanField(default=True)
        attempts = IntegerField(default=0)
        last_error = TextField(default="")
        next_attempt_at = DateTimeField(default=utcnow)
        created_at = DateTimeField(default=utcnow)

        class Meta:
            database = db
            table_name = 'mail_notice'
    db.create_tables([MailNotice])


def down(migrator, db):
    # a notice still waiting is a mail nobody has written yet: dropping it would lose that mail
    waiting = db.execute_sql('SELECT COUNT(*) FROM mail_notice').fetchone()[0]
    if waiting:
        raise RuntimeError(f"{waiting} mail notices are not written yet: run `portal send-mail --once` "
                           "(or Retry them on /admin/mail) before going back past 0019")
    db.execute_sql('DROP TABLE IF EXISTS mail_notice')
