"""Ticket search indexed in batches on SQLite (issue 16): a table of two marks, the last ticket and
the last message id the full-text index holds, from which portal/services/search_index.py indexes
what was filed since. Expand only: one new table (SQLite; PostgreSQL keeps its triggers, nothing
to add). The marks start at today's last ids: the triggers of migration 0009 indexed those.

SQLite gives a new row the largest id + 1, so deleting the newest rows lets their ids come back:
a delete that leaves the mark above the largest remaining id pulls the mark back to it, else a
reused id would sit at or below the mark and never be indexed."""
from peewee import SqliteDatabase

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    db.execute_sql("CREATE TABLE search_mark (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL DEFAULT 0)")
    db.execute_sql("INSERT INTO search_mark (name, last_id) "
                   "SELECT 'ticket', COALESCE(MAX(id), 0) FROM ticket "
                   "UNION ALL SELECT 'message', COALESCE(MAX(id), 0) FROM message")
    for table in ("ticket", "message"):
        top = f"(SELECT COALESCE(MAX(id), 0) FROM {table})"
        db.execute_sql(f"CREATE TRIGGER search_mark_{table}_ad AFTER DELETE ON {table} BEGIN "
                       f"UPDATE search_mark SET last_id = {top} WHERE name = '{table}' AND last_id > {top}; END")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in ("ticket", "message"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS search_mark_{table}_ad")
        db.execute_sql("DROP TABLE IF EXISTS search_mark")
