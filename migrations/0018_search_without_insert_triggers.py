"""Filing a ticket writes less (issue 16).

SQLite: the full-text index's insert triggers go. FTS5 writes a new segment, and merges older
ones, in every transaction that adds a row: about a third of the pages a filed ticket wrote to
the WAL and half the database work of filing (docs/benchmarks.md). portal/services/search_index.py
adds what was filed since its mark in one transaction per batch, before every search and in the
background sender's rounds, so a search still finds every ticket and message. The update and
delete triggers stay (a changed subject or body is indexed at once).

Both databases: indexes that cost every filing a B-tree insert and a page and serve no query:
ticket(requester_id), which (requester_id, status, updated_at) and (requester_id, updated_at, id)
begin with; ticket(status), which (status, updated_at) begins with; message(created_at) (messages
are read per ticket, by message_ticket_id); outbox_mail(kind) and outbox_mail(ticket_id) (the
sender reads by (status, next_attempt_at), the admin list by created_at).

Contract: it runs once every node has search_index.py (which works with the triggers or
without); an older node beside it would file tickets that only a newer node's search indexes."""
from peewee import SqliteDatabase

# rolling deploys: removes what the previous release stopped needing (docs/deployment.md)
PHASE = "contract"

SQLITE_TRIGGERS = {
    "ticket_search_ticket_ai": "CREATE TRIGGER ticket_search_ticket_ai AFTER INSERT ON ticket BEGIN "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (-new.id, new.id, new.subject, ''); END",
    "ticket_search_message_ai": "CREATE TRIGGER ticket_search_message_ai AFTER INSERT ON message BEGIN "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (new.id, new.ticket_id, '', new.body); END",
}

INDEXES = [("ticket", "ticket_requester_id", "requester_id"), ("ticket", "ticket_status", "status"),
           ("message", "message_created_at", "created_at"), ("outbox_mail", "outboxmail_kind", "kind"),
           ("outbox_mail", "outboxmail_ticket_id", "ticket_id")]

CATCH_UP = [
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) SELECT -t.id, t.id, t.subject, '' "
    "FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.rowid = -t.id)",
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) SELECT m.id, m.ticket_id, '', m.body "
    "FROM message m WHERE NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.rowid = m.id)",
]


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(*(migrator.drop_index(table, name) for table, name, _ in INDEXES))


def down(migrator, db):
    for table, name, column in INDEXES:  # by their old names (outboxmail_*: the model's name, not the table's)
        db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
    if isinstance(db, SqliteDatabase):
        for sql in CATCH_UP:  # the triggers index what comes next; what came before, now
            db.execute_sql(sql)
        for sql in SQLITE_TRIGGERS.values():
            db.execute_sql(sql)
