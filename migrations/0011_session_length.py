"""Remote sessions get a length, an iCalendar sequence, the requester's confirmation or wish for
another time, and an index on (agent, starts_at) for overlaps and the calendar; every account
gets a time zone (Pacific by default). Expand only: columns with defaults and an index."""
from peewee import *

# written for one node: a NOT NULL column without a database default, so every node is
# stopped before it runs (docs/deployment.md, Migrations side by side)
PHASE = "offline"


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('remote_session', 'duration_minutes', IntegerField(default=30)),
        migrator.add_column('remote_session', 'sequence', IntegerField(default=0)),
        migrator.add_column('remote_session', 'confirmed_at', DateTimeField(null=True)),
        migrator.add_column('remote_session', 'change_requested_at', DateTimeField(null=True)),
        migrator.add_column('remote_session', 'change_note', TextField(default='')),
        migrator.add_index('remote_session', ('agent_id', 'starts_at'), False),
        migrator.add_column('user', 'time_zone', CharField(max_length=64, default='America/Los_Angeles')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('user', 'time_zone'),
        migrator.drop_index('remote_session', 'remote_session_agent_id_starts_at'),
        migrator.drop_column('remote_session', 'change_note'),
        migrator.drop_column('remote_session', 'change_requested_at'),
        migrator.drop_column('remote_session', 'confirmed_at'),
        migrator.drop_column('remote_session', 'sequence'),
        migrator.drop_column('remote_session', 'duration_minutes'),
    )
