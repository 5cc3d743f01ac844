"""A ticket keeps the reason for its level in words (policy 2.1, 3.4; the partner ticket level
Decision), as an account keeps its own. Offline (see PHASE): a NOT NULL column whose default is peewee's, not the database's, so an old node's INSERT would fail."""
from peewee import *

# written for one node: a NOT NULL column without a database default, so every node is
# stopped before it runs (docs/deployment.md, Migrations side by side)
PHASE = "offline"


def up(migrator, db):
    migrator.migrate(migrator.add_column('ticket', 'level_reason', CharField(max_length=200, default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('ticket', 'level_reason'))
