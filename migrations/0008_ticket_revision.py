"""A ticket counts its customer-visible changes (replies, status changes) in `revision`, so a
staff reply written against an older revision is held instead of sent (issue 13, the optimistic
reply check). Offline (see PHASE): a NOT NULL column without a database default (an old node's INSERT would fail)."""
from peewee import *

# written for one node: a NOT NULL column without a database default, so every node is
# stopped before it runs (docs/deployment.md, Migrations side by side)
PHASE = "offline"


def up(migrator, db):
    migrator.migrate(migrator.add_column('ticket', 'revision', IntegerField(default=0)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('ticket', 'revision'))
