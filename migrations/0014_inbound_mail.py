"""Reply by email (policy 4.3): the mails the inbound server received, so a redelivered mail stores
one reply and a sender gets at most one automatic answer in a while. Expand only: one new table."""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class InboundMail(Model):
        message_key = CharField(max_length=255, unique=True)
        sender = CharField(max_length=254, index=True)
        ticket_id = IntegerField(null=True)
        outcome = CharField(max_length=24)
        answered = BooleanField(default=False)
        received_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'inbound_mail'
    db.create_tables([InboundMail])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS inbound_mail')
