"""Forum full-text search index: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The table has no peewee model: portal.services.search reads it and portal.services.forum
keeps it in step with posts inside the same transaction. Existing visible content is indexed.
"""
from peewee import SqliteDatabase

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"

# SQLite: porter stemming over unicode61 so "installing" finds "install"; rowid is the post id,
# or minus the thread id for a thread's title row, so one row is replaced without a scan
SQLITE_UP = [
    "CREATE VIRTUAL TABLE forum_search USING fts5(thread_id UNINDEXED, post_id UNINDEXED, "
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO forum_search (rowid, thread_id, post_id, title, body) "
    "SELECT -id, id, 0, title, '' FROM thread WHERE hidden = 0",
    "INSERT INTO forum_search (rowid, thread_id, post_id, title, body) "
    "SELECT p.id, p.thread_id, p.id, '', p.body FROM post p JOIN thread t ON t.id = p.thread_id "
    "WHERE p.hidden = 0 AND t.hidden = 0",
]

POSTGRES_UP = [
    "CREATE TABLE forum_search (id SERIAL PRIMARY KEY, "
    "thread_id INTEGER NOT NULL REFERENCES thread (id) ON DELETE CASCADE, "
    "post_id INTEGER NOT NULL, document TSVECTOR NOT NULL)",
    "CREATE INDEX forum_search_document ON forum_search USING GIN (document)",
    "CREATE INDEX forum_search_thread ON forum_search (thread_id, post_id)",
    "INSERT INTO forum_search (thread_id, post_id, document) "
    "SELECT id, 0, setweight(to_tsvector('english', title), 'A') FROM thread WHERE NOT hidden",
    "INSERT INTO forum_search (thread_id, post_id, document) "
    "SELECT p.thread_id, p.id, to_tsvector('english', p.body) FROM post p "
    "JOIN thread t ON t.id = p.thread_id WHERE NOT p.hidden AND NOT t.hidden",
]


def up(migrator, db):
    for sql in SQLITE_UP if isinstance(db, SqliteDatabase) else POSTGRES_UP:
        db.execute_sql(sql)


def down(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS forum_search")
