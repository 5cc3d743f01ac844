"""Mail preferences (issue 14): the notification kinds each person turned off, and a partner
member's choice of which partner tickets they hear about. Expand only: one table, one column
with a default ("mine": the tickets they filed or follow, as before)."""
from peewee import *

# written for one node: a NOT NULL column without a database default, so every node is
# stopped before it runs (docs/deployment.md, Migrations side by side)
PHASE = "offline"


def up(migrator, db):
    class User(Model):  # the column the new table refers to
        class Meta:
            database = db
            table_name = 'user'

    class MailPreference(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=32)
        enabled = BooleanField(default=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'mail_preference'
            indexes = ((('user', 'kind'), True),)
    db.create_tables([MailPreference])
    migrator.migrate(migrator.add_column('user', 'partner_mail', CharField(max_length=8, default='mine')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'partner_mail'))
    db.execute_sql('DROP TABLE IF EXISTS mail_preference')
