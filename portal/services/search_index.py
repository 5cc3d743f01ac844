"""The staff ticket search's full-text index on SQLite, filled in batches instead of by triggers.

    search_index.catch_up()   # index every ticket and message filed since the last time

FTS5 writes a new segment (and merges older ones) in every transaction that adds a row, so
indexing each filed ticket in its own request cost about half of filing's database work and a
third of the pages it wrote (docs/benchmarks.md). Migration 0018 dropped the insert triggers;
here the rows past a mark (`search_mark`: the last ticket and message id indexed, migration
0017) are added in one transaction per batch. Nothing is missed: ids only grow, every insert by
any code path lands past the mark, and a search catches up before it asks the index. The
background sender's rounds call it too, so a search rarely has anything to add. A row a
trigger already indexed (a subject changed before the catch-up, or the triggers of a database
not yet migrated) is skipped, so running it twice, or beside an older node, adds nothing twice.

PostgreSQL keeps its triggers: a GIN index collects new entries in its pending list and merges
them in bulk by itself, and the tsvector is the database server's work, not the web worker's.
"""
import logging

from peewee import DatabaseError

from portal import db as database

log = logging.getLogger("portal.search")
BATCH = 2000  # ids per table per transaction: a long backlog never holds the write lock long

_TABLES = (  # (mark, table, the index row made of one of its rows t, that index row's rowid)
    ("ticket", "ticket", "-t.id, t.id, t.subject, ''", "-t.id"),
    ("message", "message", "t.id, t.ticket_id, '', t.body", "t.id"),
)


def _marks():
    return dict(database.db.execute_sql("SELECT name, last_id FROM search_mark").fetchall())


def _tops():
    row = database.db.execute_sql("SELECT (SELECT MAX(id) FROM ticket), (SELECT MAX(id) FROM message)").fetchone()
    return {"ticket": row[0] or 0, "message": row[1] or 0}


def pending():
    """How many ids past the marks (0 when the index is complete, and always on PostgreSQL)."""
    if not database.is_sqlite():
        return 0
    marks, tops = _marks(), _tops()
    return sum(max(0, tops[name] - marks.get(name, 0)) for name in tops)


def catch_up(batch=BATCH):
    """Index the tickets and messages past the marks; returns how many index rows were added.
    A no-op on PostgreSQL. Two reads when nothing is pending (every search asks)."""
    if not database.is_sqlite() or not pending():
        return 0
    added = 0
    while True:
        with database.write_tx():  # IMMEDIATE: one catch-up at a time, no insert between read and write
            marks, tops = _marks(), _tops()
            if all(tops[name] <= marks.get(name, 0) for name in tops):
                return added
            for name, table, values, rowid in _TABLES:
                low = marks.get(name, 0)
                high = min(tops[name], low + batch)
                if high <= low:
                    continue
                cursor = database.db.execute_sql(
                    f"INSERT INTO ticket_search (rowid, ticket_id, subject, body) SELECT {values} "
                    f"FROM {table} t WHERE t.id > ? AND t.id <= ? "
                    f"AND NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.rowid = {rowid})", (low, high))
                added += max(cursor.rowcount, 0)
                database.db.execute_sql("UPDATE search_mark SET last_id = ? WHERE name = ?", (high, name))


def try_catch_up():
    """catch_up(), its failure (the database busy past its timeout, a damaged FTS5 table) logged
    and left for the next time: a search then reads the rows indexed so far, and the sender's
    round goes on with the mail."""
    try:
        return catch_up()
    except DatabaseError as exc:
        log.warning("search index catch-up failed: %s", exc.__class__.__name__)
        return 0
