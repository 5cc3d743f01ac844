"""Load tests: one uWSGI server (4 workers) per module, real HTTP clients in threads.

The module's database is the module-scoped twin of the `db_url` fixture: a copy of the
migrated SQLite template, or the migrated PostgreSQL schema emptied (PORTAL_TEST_DATABASE_URL).
"""
import re
import threading
import uuid
from contextlib import contextmanager

import pytest

from bench import harness
from portal import db as database
from tests import factories
from tests.conftest import empty_database

TOKEN_RE = re.compile(r'name="submit_token" value="([^"]+)"')
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "IntegrityError", "psycopg2",
         "peewee", "sqlite3", "database is locked", 'File "')
BODY = "The viewer disconnects from the host after a few minutes every time we connect."


@pytest.fixture(scope="module")
def load_db(migrated_template, tmp_path_factory):
    """A migrated, empty database shared by one module's tests."""
    return empty_database(migrated_template, tmp_path_factory.mktemp("loaddb"))


@pytest.fixture(scope="module")
def server(load_db, tmp_path_factory):
    """uWSGI with 4 workers on the module's database; `.app` seeds and checks in-process."""
    workdir = tmp_path_factory.mktemp("uwsgi")
    env = harness.portal_env(load_db, workdir)
    app = harness.make_app(env)
    with harness.Uwsgi(env, workdir, processes=4) as running:
        running.app = app
        running.workdir = workdir
        yield running
    close_all = getattr(database.db.obj, "close_all", None)
    if close_all:
        close_all()


@contextmanager
def in_app(server):
    """An app context with an open connection on the server's (or cluster's) database, for
    seeding and checking rows."""
    with server.app.app_context():
        database.db.connect(reuse_if_open=True)
        try:
            yield
        finally:
            database.close_connection()


def make_users(server, count, **kwargs):
    """`count` factory users (plain values: id, email, name) made in-process."""
    with in_app(server):
        users = [factories.make_user(**kwargs) for _ in range(count)]
        return [(u.id, u.email, u.name) for u in users]


def run_threads(count, target, seconds=300):
    """Run target(i) in `count` threads at once, waiting up to `seconds` for each; re-raise the
    first failure."""
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if errors:
        raise errors[0]


def login_all(server, users):
    """One logged-in requests.Session per user, logged in concurrently."""
    sessions = [None] * len(users)

    def log_in(i):
        sessions[i] = harness.login(server.url, users[i][1], factories.PASSWORD)
    run_threads(len(users), log_in)
    return sessions


def new_ticket_form(session):
    """GET the ticket form as a browser would: the POST data it would send, blanks to fill."""
    page = session.get(session.base_url + "/tickets/new", timeout=60)
    return page, (form_data(page.text) if page.status_code == 200 else None)


def form_data(html):
    """The fields the ticket form page would post (hidden tokens, product, policy checkbox)."""
    data = {"csrf_token": harness.csrf_from(html), "submit_token": TOKEN_RE.search(html).group(1),
            "product": "Remote Utilities", "version": ""}
    if 'name="accept_policy"' in html:  # the checkbox shows until the policy is accepted (policy 1.2)
        data["accept_policy"] = "1"
    return data


def post_ticket(session, data):
    """POST the filled form without following the redirect."""
    return session.post(session.base_url + "/tickets/new", data=data, allow_redirects=False, timeout=60)


def ticket_id_of(response):
    """The ticket id a successful POST redirects to (None otherwise)."""
    match = re.search(r"/tickets/(\d+)$", response.headers.get("Location", ""))
    return int(match.group(1)) if response.status_code == 302 and match else None


def leaks_in(text):
    """Implementation details a user must never see in a page."""
    return [word for word in LEAKS if word in text]


def subject_for(tag, n):
    """A subject unique to this run, client and ticket."""
    return f"{tag} {n} {uuid.uuid4().hex[:10]}"
