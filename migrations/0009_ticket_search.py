"""Staff ticket search and views: a full-text index of tickets' subjects and messages (SQLite FTS5
with porter stemming, PostgreSQL tsvector + GIN), kept in step by triggers, and two indexes that
serve the staff views' order (status, updated_at) and "all" (updated_at).

Triggers rather than service code (the forum's way): every write of a ticket's subject or of a
message, by any service, a script or a test factory, lands in the index in its own transaction,
so no new code path (a reply with files, "send and set status") can forget it. Internal notes are
indexed too: only staff search tickets. Existing tickets and messages are indexed. Expand only.
"""
from peewee import SqliteDatabase

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"

# SQLite: rowid is the message id, or minus the ticket id for the subject row, so one row is
# replaced by a rowid lookup; deleting a ticket cascades to its messages, whose trigger fires too
SQLITE_UP = [
    "CREATE VIRTUAL TABLE ticket_search USING fts5(ticket_id UNINDEXED, subject, body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) SELECT -id, id, subject, '' FROM ticket",
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) SELECT id, ticket_id, '', body FROM message",
    "CREATE TRIGGER ticket_search_ticket_ai AFTER INSERT ON ticket BEGIN "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (-new.id, new.id, new.subject, ''); END",
    "CREATE TRIGGER ticket_search_ticket_au AFTER UPDATE OF subject ON ticket "
    "WHEN old.subject IS NOT new.subject BEGIN "
    "DELETE FROM ticket_search WHERE rowid = -old.id; "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (-new.id, new.id, new.subject, ''); END",
    "CREATE TRIGGER ticket_search_ticket_ad AFTER DELETE ON ticket BEGIN "
    "DELETE FROM ticket_search WHERE rowid = -old.id; END",
    "CREATE TRIGGER ticket_search_message_ai AFTER INSERT ON message BEGIN "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (new.id, new.ticket_id, '', new.body); END",
    "CREATE TRIGGER ticket_search_message_au AFTER UPDATE OF body, ticket_id ON message "
    "WHEN old.body IS NOT new.body OR old.ticket_id IS NOT new.ticket_id BEGIN "
    "DELETE FROM ticket_search WHERE rowid = old.id; "
    "INSERT INTO ticket_search (rowid, ticket_id, subject, body) VALUES (new.id, new.ticket_id, '', new.body); END",
    "CREATE TRIGGER ticket_search_message_ad AFTER DELETE ON message BEGIN "
    "DELETE FROM ticket_search WHERE rowid = old.id; END",
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS ticket_search_{name}" for name in
      ("ticket_ai", "ticket_au", "ticket_ad", "message_ai", "message_au", "message_ad")),
    "DROP TABLE IF EXISTS ticket_search",
]

# PostgreSQL: the subject row has message_id NULL; deletes follow by ON DELETE CASCADE
POSTGRES_UP = [
    "CREATE TABLE ticket_search (id SERIAL PRIMARY KEY, "
    "ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE, "
    "message_id INTEGER REFERENCES message (id) ON DELETE CASCADE, document TSVECTOR NOT NULL)",
    "CREATE INDEX ticket_search_document ON ticket_search USING GIN (document)",
    "CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id)",
    "CREATE INDEX ticket_search_message ON ticket_search (message_id)",
    "INSERT INTO ticket_search (ticket_id, message_id, document) "
    "SELECT id, NULL, setweight(to_tsvector('english', subject), 'A') FROM ticket",
    "INSERT INTO ticket_search (ticket_id, message_id, document) "
    "SELECT ticket_id, id, to_tsvector('english', body) FROM message",
    """CREATE FUNCTION ticket_search_subject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_search WHERE ticket_id = NEW.id AND message_id IS NULL;
  INSERT INTO ticket_search (ticket_id, message_id, document)
    VALUES (NEW.id, NULL, setweight(to_tsvector('english', NEW.subject), 'A'));
  RETURN NULL;
END $$""",
    """CREATE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_search WHERE message_id = NEW.id;
  INSERT INTO ticket_search (ticket_id, message_id, document)
    VALUES (NEW.ticket_id, NEW.id, to_tsvector('english', NEW.body));
  RETURN NULL;
END $$""",
    "CREATE TRIGGER ticket_search_ticket_ai AFTER INSERT ON ticket "
    "FOR EACH ROW EXECUTE FUNCTION ticket_search_subject()",
    "CREATE TRIGGER ticket_search_ticket_au AFTER UPDATE OF subject ON ticket "
    "FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject) EXECUTE FUNCTION ticket_search_subject()",
    "CREATE TRIGGER ticket_search_message_ai AFTER INSERT ON message "
    "FOR EACH ROW EXECUTE FUNCTION ticket_search_message()",
    "CREATE TRIGGER ticket_search_message_au AFTER UPDATE OF body, ticket_id ON message "
    "FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id) "
    "EXECUTE FUNCTION ticket_search_message()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_search_ticket_ai ON ticket",
    "DROP TRIGGER IF EXISTS ticket_search_ticket_au ON ticket",
    "DROP TRIGGER IF EXISTS ticket_search_message_ai ON message",
    "DROP TRIGGER IF EXISTS ticket_search_message_au ON message",
    "DROP FUNCTION IF EXISTS ticket_search_subject()",
    "DROP FUNCTION IF EXISTS ticket_search_message()",
    "DROP TABLE IF EXISTS ticket_search",
]


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    for sql in SQLITE_UP if sqlite else POSTGRES_UP:
        db.execute_sql(sql)
    # the staff views: a status's tickets newest activity first, and every ticket so
    migrator.migrate(migrator.add_index('ticket', ('status', 'updated_at'), False),
                     migrator.add_index('ticket', ('updated_at',), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('ticket', 'ticket_status_updated_at'),
                     migrator.drop_index('ticket', 'ticket_updated_at'))
    for sql in SQLITE_DOWN if isinstance(db, SqliteDatabase) else POSTGRES_DOWN:
        db.execute_sql(sql)
