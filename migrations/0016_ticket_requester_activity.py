"""A customer's ticket list in its order (issue 16): an index on the requester's tickets by last
activity, so "My tickets" reads its page of 20 off the index instead of sorting every ticket the
customer ever filed on each load (the (requester, status, updated_at) index serves a list
narrowed by status only). Expand only: one new index."""

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    migrator.migrate(migrator.add_index('ticket', ('requester_id', 'updated_at', 'id'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('ticket', 'ticket_requester_id_updated_at_id'))
