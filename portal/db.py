"""Database proxy, base model, the one time column, per-request connect/close, write transactions."""
import datetime
from urllib.parse import urlparse

import peewee
from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "synchronous": "normal",
}


UTC = datetime.timezone.utc


def utcnow():
    """The current time, aware, in UTC: what every DateTimeField takes and gives back."""
    return datetime.datetime.now(UTC)


class _MomentAccessor(peewee.FieldAccessor):
    """A moment assigned to a model attribute is kept in UTC; a naive one is refused right there."""

    def __set__(self, instance, value):
        super().__set__(instance, self.field.utc(value))


class DateTimeField(peewee.DateTimeField):
    """A moment in time, the one kind of time column every model uses.

    Python sees aware UTC datetimes only; the column keeps naive UTC (SQLite text
    'YYYY-MM-DD HH:MM:SS.ffffff', PostgreSQL `timestamp`), as the first migration made it, so rows
    written earlier read the same. This is the one place times are converted: a naive datetime is
    refused rather than guessed at (its zone is unknown)."""

    accessor_class = _MomentAccessor

    def utc(self, value):
        """An aware datetime in UTC; anything else (None, an SQL expression) unchanged."""
        if not isinstance(value, datetime.datetime):
            return value
        if value.utcoffset() is None:
            raise ValueError(f"{self.name}: a naive datetime has no time zone; give an aware one")
        return value.astimezone(UTC)

    def db_value(self, value):
        value = self.utc(value)
        if isinstance(value, datetime.datetime):
            value = value.replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        if isinstance(value, str):  # SQLite's text: the C parser first (peewee tries strptime formats)
            moment = _stored_moment(value)
            if moment is not None:
                return moment
            try:
                value = datetime.datetime.fromisoformat(value)
            except ValueError:
                value = super().python_value(value)
        else:
            value = super().python_value(value)
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


_from_iso = datetime.datetime.fromisoformat


def _stored_moment(text):
    """The column's own text, 'YYYY-MM-DD HH:MM:SS' with or without '.ffffff' (naive UTC), as an
    aware UTC datetime in one parse, the offset written on (datetime.replace, to add the zone
    afterwards, costs several times the parse); None for any other text, parsed the long way."""
    size = len(text)
    if ((size == 19 or (size == 26 and text[19] == ".")) and text[10] == " " and text[4] == "-"
            and text[7] == "-" and text[13] == ":" and text[16] == ":"):
        try:
            return _from_iso(text + "+00:00")
        except ValueError:  # not digits where digits go: python_value says so as before
            return None
    return None


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
        self.check_lengths()
        return super().save(*args, **kwargs)

    def check_lengths(self):
        """Refuse a text value past its column alike on both databases (a backstop: services say why first)."""
        data = self.__data__
        for field, limit in _limited(type(self)):
            value = data.get(field.name)
            if isinstance(value, str) and len(value) > limit:
                raise FieldTooLong(field)


_LIMITED = {}  # model class -> its (field, max_length) pairs: looked up once, checked on every save


def _limited(model):
    found = _LIMITED.get(model)
    if found is None:
        found = _LIMITED[model] = tuple((f, f.max_length) for f in model._meta.sorted_fields
                                        if getattr(f, "max_length", None))
    return found


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
