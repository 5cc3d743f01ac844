"""Database proxy, base model, per-request connect/close, write transactions."""
import datetime
from urllib.parse import urlparse

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "synchronous": "normal",
}


def utcnow():
    """The current time as a naive UTC datetime, the way the database stores times."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class FieldTooLong(ValueError):
    """A text value longer than its column: SQLite would store it and PostgreSQL refuse it."""

    def __init__(self, field):
        super().__init__(f"{field.name} is limited to {field.max_length} characters")
        self.field = field


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        """Refuse a text value past its column alike on both databases (a backstop: services say why first)."""
        for field in self._meta.sorted_fields:
            limit, value = getattr(field, "max_length", None), self.__data__.get(field.name)
            if limit and isinstance(value, str) and len(value) > limit:
                raise FieldTooLong(field)
        return super().save(*args, **kwargs)


def make_database(url, pool_size=8):
    """Open a peewee database for a URL: SQLite with WAL, or pooled PostgreSQL."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=15, check_same_thread=False)
    url = url.replace(f"{scheme}://", "postgresql+pool://", 1)
    return connect(url, max_connections=pool_size, stale_timeout=300, timeout=10)


def bind(url, pool_size=8):
    """Point the proxy at the database for this URL and return it."""
    database = make_database(url, pool_size)
    db.initialize(database)
    return database


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def write_tx():
    """A write transaction: IMMEDIATE on SQLite so read-then-write never deadlocks."""
    if is_sqlite():
        return db.atomic("IMMEDIATE")
    return db.atomic()


def open_connection():
    """Open this request's connection."""
    db.connect(reuse_if_open=True)


def close_connection(exc=None):
    """Close this request's connection (returns it to the pool on PostgreSQL)."""
    if not db.is_closed():
        db.close()


def end_request(exc=None):
    """After a request: PostgreSQL gets its connection back in the pool; SQLite keeps this
    thread's connection open for its next request (closing the last connection to a WAL
    database checkpoints and deletes the WAL, which costs more than most requests; see
    docs/benchmarks.md). A transaction nobody ended is rolled back."""
    if db.is_closed():
        return
    if not is_sqlite():
        db.close()
        return
    conn = db.connection()
    if conn.in_transaction:
        conn.rollback()


def lock_for_update(query):
    """`query` as SELECT ... FOR UPDATE on PostgreSQL, so a read-then-write holds the rows it read;
    unchanged on SQLite, where write_tx()'s IMMEDIATE transaction already serialises writers."""
    return query if is_sqlite() else query.for_update()
