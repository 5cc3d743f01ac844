"""Presence on staff pages: who has a ticket or forum thread open and who is typing a reply.

The database store of portal.services.presence (single-machine installs and tests; Redis keeps
the same facts when PORTAL_REDIS_URL is set). Expand only: one new table.
"""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class User(Model):  # the column the new table refers to
        class Meta:
            database = db
            table_name = 'user'

    class Presence(Model):
        kind = CharField(max_length=16)
        object_id = IntegerField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        seen_at = DateTimeField(index=True)
        typing_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'presence'
            indexes = ((('kind', 'object_id', 'user'), True),)
    db.create_tables([Presence])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS presence')
