"""Fixtures: a fresh database per test (SQLite file, or a PostgreSQL schema), app, client, mail.

`--clock=2026-11-24T14:50:00-08:00` (or PORTAL_TEST_CLOCK) runs the whole session as if it
had started at that moment, with time ticking on (docs/testing.md: Tests at a fixed moment).
"""
import datetime
import os
import shutil
import time
import uuid

import flask
import jinja2
import pytest
from cryptography.fernet import Fernet
from hypothesis import settings as hypothesis_settings

from tests import factories, routing_cache

# Property tests assert what is true, never how fast: hypothesis's default 200 ms deadline per
# example would fail them on a busy machine (two CI lanes, other workers).
hypothesis_settings.register_profile("portal", deadline=None)
hypothesis_settings.load_profile("portal")

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
CRED_KEY = Fernet.generate_key().decode()

# Test databases, uploads and uWSGI work folders in memory where the machine has a tmpfs: each
# test copies a SQLite file and SQLite syncs it on closing; nothing a test writes has to survive
# a crash. pytest's own numbered, locked folders, so parallel sessions never share one.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/dev/shm")


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every app of the session: each test's create_app has a Jinja
    environment of its own, which compiled every page it rendered again (about 10 ms a template).
    Keyed by template name and source checksum, so an edited template compiles afresh."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


flask.Flask.jinja_options = {**flask.Flask.jinja_options, "bytecode_cache": _SharedBytecode()}
routing_cache.install()  # each rule's URL builder compiled once per session, not once per app


def pytest_addoption(parser):
    parser.addoption("--clock", default=os.environ.get("PORTAL_TEST_CLOCK") or None,
                     help="run the session from this ISO moment with a time zone, e.g. "
                          "2026-11-24T14:50:00-08:00 (env PORTAL_TEST_CLOCK)")


def pytest_configure(config):
    moment = config.getoption("--clock")
    if not moment:
        return
    start = datetime.datetime.fromisoformat(moment)
    if start.tzinfo is None:
        raise pytest.UsageError(f"--clock needs a time zone offset: {moment!r}")
    import time_machine
    # tick: time runs on from the moment, so expiries, rate windows and timeouts still work
    config._portal_clock = time_machine.travel(start, tick=True)
    config._portal_clock.start()
    # reading the clock starts its ticking (time-machine ticks from the first reading)
    offset = time.time() - time_machine.escape_hatch.time.time()
    # uWSGI servers started by tests inherit the environment and travel by the same offset
    os.environ.update(PORTAL_TEST_CLOCK_OFFSET=repr(offset), UWSGI_IMPORT="tests.clock_travel")


def pytest_unconfigure(config):
    traveller = getattr(config, "_portal_clock", None)
    if traveller is not None:
        traveller.stop()
        for name in ("PORTAL_TEST_CLOCK_OFFSET", "UWSGI_IMPORT"):
            os.environ.pop(name, None)


# Modules whose outcome could depend on the moment they run (due times, support hours, license
# dates, session starts, demo data): marked `clock`, run by CI at fixed moments (.ci/run).
# A single test elsewhere can carry @pytest.mark.clock itself.
CLOCK_MODULES = {
    "tests/test_cli.py", "tests/forum/test_demo.py", "tests/forum/test_hours.py",
    "tests/forum/test_posting.py", "tests/staff/test_demo.py", "tests/staff/test_pacific_times.py",
    "tests/staff/test_queue.py", "tests/staff/test_ticket_work.py", "tests/staff_ops/test_bugs.py",
    "tests/staff_ops/test_dashboard.py", "tests/staff_ops/test_demo.py", "tests/staff_ops/test_ics.py",
    "tests/staff_ops/test_sessions.py", "tests/staff_ops/test_session_calendar.py",
    "tests/staff_ops/test_booking_race.py", "tests/tickets/test_conversation.py",
    "tests/tickets/test_demo.py", "tests/tickets/test_filing.py", "tests/tickets/test_levels.py",
    "tests/tickets/test_orders.py", "tests/tickets/test_remote.py", "tests/test_clock_travel.py",
}


# Folders whose tests must run alone, never beside other tests: they restart PostgreSQL (cutting
# every other test's connections) or load the machine with uWSGI's 4 workers under 40 clients.
# `scripts/test` runs the rest in parallel (pytest-xdist), then these (docs/testing.md). A test
# elsewhere that must run alone carries @pytest.mark.serial itself.
SERIAL_FOLDERS = ("tests/load/", "tests/cluster/")  # load and faults: alone, never beside another worker


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    for item in items:
        path = item.path.relative_to(root).as_posix()
        if path in CLOCK_MODULES:
            item.add_marker(pytest.mark.clock)
        if path.startswith(SERIAL_FOLDERS):
            item.add_marker(pytest.mark.serial)


def pytest_report_header(config):
    moment = config.getoption("--clock")
    return f"clock: travelled to {moment}" if moment else None


def _with_schema(url, schema):
    """The test server's URL on one schema. synchronous_commit=off: a test's commits need not wait
    for the WAL to reach the disk (nothing here survives a crash anyway); production keeps it on."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csynchronous_commit%3Doff%20-csearch_path%3D{schema}"


def fresh_database_url(tmp_path):
    """An empty database for one test: a SQLite file, or a new PostgreSQL schema."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'portal.db'}"
    import psycopg2
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    conn.close()
    return _with_schema(PG_URL, schema)


def drop_database(url):
    """Remove a PostgreSQL test schema (SQLite files go with tmp_path)."""
    if "search_path%3D" not in url:
        return
    import psycopg2
    schema = url.rsplit("search_path%3D", 1)[1]
    kept, _ = _EMPTYING.pop(schema, (None, None))
    if kept is not None:
        kept.close()
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    conn.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    conn.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """One migrated database per test session, copied (SQLite) or truncated (PostgreSQL) per test."""
    from portal import db as database
    from portal.cli import migrate_up
    url = fresh_database_url(tmp_path_factory.mktemp("template"))
    database.bind(url)
    migrate_up()
    database.db.obj.close_all() if hasattr(database.db.obj, "close_all") else None
    yield url
    drop_database(url)


_EMPTYING = {}  # schema → (connection, the one statement that empties it)


def _emptying_statement(cursor, schema):
    """TRUNCATE every table but the migration history, ids restarting at 1, in one statement.
    (DELETE was tried: much cheaper, but it keeps the tables' pages and statistics, and
    tests/staff/test_queue.py::test_queue_query_uses_the_index_not_a_sort then saw a plan with a
    Sort; TRUNCATE gives every test the planner's view of a new table, as before.)"""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'schema_migration'",
                   (schema,))
    names = ", ".join(f'"{schema}"."{t}"' for t in sorted(row[0] for row in cursor.fetchall()))
    return f"TRUNCATE {names} RESTART IDENTITY CASCADE"


def _reset_postgres(url):
    """Empty every table of the test schema but the migration history, ids starting at 1 again,
    on a connection kept for the session (a new one per test costs a server process)."""
    import psycopg2
    schema = url.rsplit("search_path%3D", 1)[1]
    for attempt in (1, 2):
        conn, statement = _EMPTYING.get(schema, (None, None))
        try:
            if conn is None or conn.closed:
                conn = psycopg2.connect(PG_URL, options="-csynchronous_commit=off")
                conn.autocommit = True
                statement = _emptying_statement(conn.cursor(), schema)
                _EMPTYING[schema] = conn, statement
            with conn.cursor() as cursor:
                cursor.execute(statement)  # one implicit transaction
            return
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            # the server restarted since (tests/load/test_faults.py): connect again, once
            _EMPTYING.pop(schema, None)
            if attempt == 2:
                raise


def app_env(db_url, tmp_path):
    """The environment a test app is built from: nothing leaks in from the developer's shell."""
    return {
        "PORTAL_ENV": "test",
        "PORTAL_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "PORTAL_CREDENTIALS_KEY": CRED_KEY,
        "PORTAL_DATABASE_URL": db_url,
        "PORTAL_MAIL_BACKEND": "memory",
        "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"),
        "PORTAL_BASE_URL": "http://localhost",
        "PORTAL_METRICS_DIR": str(tmp_path / "metrics"),  # uWSGI's per-instance folder, not instance/
    }


def empty_database(migrated_template, folder):
    """A migrated, empty database: a copy of the SQLite template in `folder`, or the
    PostgreSQL template schema with every table emptied."""
    if PG_URL:
        from portal import db as database
        database.bind(migrated_template)
        _reset_postgres(migrated_template)
        return migrated_template
    path = folder / "portal.db"
    shutil.copyfile(migrated_template.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(migrated_template, tmp_path):
    """This test's database, migrated and empty."""
    return empty_database(migrated_template, tmp_path)


def serving_app(db_url, tmp_path, **settings):
    """A test app on this database with a connection open (the `app` fixture's body; other
    fixtures add settings): yields the app, closes the connection after."""
    from portal import db as database
    from portal.web import create_app
    app = create_app({"TESTING": True}, env=app_env(db_url, tmp_path) | settings)
    database.db.connect(reuse_if_open=True)
    yield app
    database.close_connection()


@pytest.fixture
def app(db_url, tmp_path):
    yield from serving_app(db_url, tmp_path)


@pytest.fixture
def uncached(db_url, tmp_path):
    """A second app on the same database that keeps no page fragments (portal/web/fragments.py):
    a page must read the same with and without them."""
    yield from serving_app(db_url, tmp_path, PORTAL_FRAGMENT_CACHE_ENTRIES="0")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """Mails the app sent (memory backend)."""
    return app.extensions["outbox"].sent


@pytest.fixture
def make_user(app):
    return factories.in_app_context(app, factories.make_user)


@pytest.fixture
def login(client):
    """Log a client in as a user: login(user) → the client."""
    def _login(user, c=None):
        c = c or client
        response = c.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                          "csrf_token": factories.csrf_token(c, "/login")})
        assert response.status_code == 302, response.data[:500]
        return c
    return _login
