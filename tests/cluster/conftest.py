"""The cluster tests: one cluster per module (deploy/cluster/, the code of scripts/cluster), real
nginx, two uWSGI nodes, a PostgreSQL and a Redis of the cluster's own on free ports.

Clients are real HTTP clients (requests) in threads. Through nginx they speak HTTPS with the
cluster's certificate; `on_node(browser, i)` speaks to node i's own port directly.
"""
import collections
import itertools
import re
import threading
import time
import uuid

import pytest
import requests

from deploy.cluster import Cluster
from deploy.cluster.processes import alive
from portal import db as database
from tests import factories
from tests.conftest import PG_URL
from tests.load.conftest import BODY, form_data, in_app, leaks_in, run_threads

OK = (200, 302)
ERRORS = (502, 503, 504)
TICKETS_PER_ACCOUNT = 16  # below the per-account limit of 20 tickets an hour (portal/web/tickets.py)
THINK_SECONDS = 0.3  # a node gone or the database away: the client resends the same form
_addresses = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/cluster/" in item.path.as_posix():
            item.add_marker(pytest.mark.slow)
            if not PG_URL:  # CI runs the suite once per database; several nodes only make sense on PostgreSQL
                item.add_marker(pytest.mark.skip(reason="the cluster runs on PostgreSQL only: set "
                                                        "PORTAL_TEST_DATABASE_URL"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """nginx + two nodes (2 workers each) on a private PostgreSQL and Redis; stopped even on failure."""
    running, started = Cluster(tmp_path_factory.mktemp("cluster")), []
    try:
        running.start(nodes=2, processes=2, private_postgres=True)
        from portal.web import create_app
        running.app = create_app({"TESTING": True}, env=running.node_env(0))
        yield running
    finally:
        close_all = getattr(database.db.obj, "close_all", None)
        if close_all:
            close_all()
        started = running.pids()
        running.stop()
    assert started and not [pid for pid in started if alive(pid)]  # `stop` leaves nothing running


def make_users(cluster, count, **kwargs):
    with in_app(cluster):
        return [factories.make_user(**kwargs).email for _ in range(count)]


def browser(cluster, base=None):
    """A requests.Session that behaves like a browser here: HTTPS through nginx with the cluster's
    certificate, a Referer on every request (flask-wtf checks it on HTTPS posts), and no reused
    connection (a browser resends a request whose reused connection nginx closed on a reload;
    requests does not, and would report that as a failed request)."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would replace `verify`
    session.verify = cluster.cert
    session.base_url = base or cluster.url
    session.headers.update({"Referer": session.base_url + "/", "Connection": "close"})
    return session


def csrf(session, path):
    page = session.get(session.base_url + path, timeout=30)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def on_node(session, cluster, i):
    """The same browser (its cookies) talking to node i directly, past nginx."""
    direct = requests.Session()
    direct.trust_env = False
    direct.base_url = cluster.node_url(i)
    direct.headers.update({"Connection": "close"})
    for cookie in session.cookies:  # the cookies are Secure: requests would not send them over http
        direct.cookies.set(cookie.name, cookie.value)
    return direct


def login(cluster, email, password=factories.PASSWORD, node=0):
    """A browser logged in through node `node` directly, as from a client address of its own.

    The nodes trust forwarded headers from 127.0.0.1 (nginx's address, and so also this test's):
    each login names a different client address, as logins through nginx from many people would.
    Through nginx itself every test client is 127.0.0.1 and the login limit (10 a minute per
    address) would stop the tests, as it should."""
    session = browser(cluster)
    n = next(_addresses)
    address = f"198.51.{100 + n // 250 % 156}.{n % 250 + 1}"
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": cluster.url.removeprefix("https://"), "Connection": "close"}
    base = cluster.node_url(node)
    page = requests.get(base + "/login", headers=headers, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = requests.post(base + "/login", data={"email": email, "password": password, "csrf_token": token},
                           headers=headers | {"Referer": cluster.url + "/login", "Cookie": cookie_header(page)},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 302, (email, answer.status_code, answer.text[:300])
    session.cookies.update(answer.cookies)
    return session


def cookie_header(response):
    """The cookies a response set, as a Cookie header (they are Secure: requests would not send
    them back over the node's plain http)."""
    return "; ".join(f"{c.name}={c.value}" for c in response.cookies)


class Customer:
    """Files tickets through nginx as a browser does; after an error it resends the same form
    (the same submit_token), so a ticket may be sent twice but must be stored once."""

    def __init__(self, session, tag):
        self.session, self.tag = session, tag
        self.answers = []  # (started, label, status or exception name, leaks, head of the body)
        self.filed = {}    # subject → ticket id, from a success answer
        self.sent = set()  # every subject posted at least once

    def call(self, label, send):
        started = time.monotonic()
        try:
            response = send()
        except requests.RequestException as exc:
            self.answers.append((started, label, type(exc).__name__, [], ""))
            return None
        self.answers.append((started, label, response.status_code, leaks_in(response.text), response.text[:400]))
        return response

    def browse(self):
        """Read the ticket list and the last ticket filed (every answer must still be 200)."""
        base = self.session.base_url
        self.call("list", lambda: self.session.get(base + "/tickets/", timeout=30))
        last = list(self.filed.values())[-1]
        self.call("view", lambda: self.session.get(f"{base}/tickets/{last}", timeout=30))

    def file_one(self, n, deadline):
        subject, data = f"{self.tag} {n} {uuid.uuid4().hex[:10]}", None
        base = self.session.base_url
        while time.monotonic() < deadline:
            if data is None:
                page = self.call("form", lambda: self.session.get(base + "/tickets/new", timeout=30))
                if page is not None and page.status_code == 200:
                    data = form_data(page.text) | {"subject": subject, "body": f"{BODY} ({subject})"}
                elif page is not None and page.status_code not in ERRORS:
                    raise AssertionError(f"{self.tag}: form {page.status_code} {page.text[:300]}")
            if data is not None:
                self.sent.add(subject)
                response = self.call("file", lambda: self.session.post(base + "/tickets/new", data=data,
                                                                       allow_redirects=False, timeout=40))
                location = response.headers.get("Location", "") if response is not None else ""
                match = re.search(r"/tickets/(\d+)$", location)
                if response is not None and response.status_code == 302 and match:
                    self.filed[subject] = int(match.group(1))
                    self.call("view", lambda: self.session.get(base + location, timeout=30))
                    return
                if response is not None and response.status_code not in ERRORS:
                    raise AssertionError(f"{self.tag}: {response.status_code} {response.text[:300]}")
            time.sleep(0.2)
        raise AssertionError(f"{self.tag}: ticket {n} not filed in time: {self.answers[-3:]}")


class Load:
    """Customers filing tickets in threads until `finish()`, then until each has `after` answers
    that started after the moment finish() was called."""

    def __init__(self, cluster, tag, clients=6, after=4):
        self.clients = [Customer(login(cluster, email), f"{tag}{i}")
                        for i, email in enumerate(make_users(cluster, clients, level="PRO"))]
        self.after, self.done_at, self.crashed = after, None, []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        def customer(i):
            client, n, deadline = self.clients[i], 0, time.monotonic() + 240
            while not (self.done_at and len([a for a in client.answers if a[0] > self.done_at]) >= self.after):
                if len(client.filed) < TICKETS_PER_ACCOUNT:
                    client.file_one(n, deadline)
                    n += 1
                else:  # the account's filing limit is near (20 an hour): it goes on reading
                    client.browse()
                time.sleep(THINK_SECONDS)
        try:
            run_threads(len(self.clients), customer)
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish()
            self.crashed.append(exc)

    def __enter__(self):
        self.thread.start()
        return self

    def wait_filed(self, count, seconds=120):
        """Block until `count` tickets were filed (the load is really running)."""
        deadline = time.monotonic() + seconds
        while self.filed_count() < count and time.monotonic() < deadline and self.thread.is_alive():
            time.sleep(0.05)
        assert self.thread.is_alive() and not self.crashed, self.crashed
        assert self.filed_count() >= count, "the load did not get going"

    def filed_count(self):
        return sum(len(c.filed) for c in self.clients)

    def wait_answers(self, since, count, allowed=None, seconds=120):
        """Block until `count` answers (with a status in `allowed`, when given) came to requests
        started after the monotonic moment `since`: the load went on through a fault (on a quiet
        machine the clients could otherwise finish before the fault was felt)."""
        def seen():
            return [a for a in self.answers if a[0] > since and (allowed is None or a[2] in allowed)]
        deadline = time.monotonic() + seconds
        while len(seen()) < count and time.monotonic() < deadline and self.thread.is_alive():
            time.sleep(0.05)
        assert not self.crashed, self.crashed
        assert len(seen()) >= count, f"only {len(seen())} answers since the fault"

    def finish(self):
        self.done_at = time.monotonic()
        self.thread.join(300)
        assert not self.thread.is_alive(), "the load did not end"
        assert not self.crashed, self.crashed

    def __exit__(self, *exc):
        if self.done_at is None:
            self.done_at = time.monotonic()
            self.thread.join(300)

    @property
    def answers(self):
        return [a for c in self.clients for a in c.answers]

    def after_done(self):
        return [a for a in self.answers if a[0] > self.done_at]


def check_stored_once(cluster, load):
    """Nothing lost, nothing duplicated: every subject a client sent is stored exactly once, as the
    ticket its success answer named, with exactly one first message."""
    from portal.models import Message, Ticket
    filed = {s: t for c in load.clients for s, t in c.filed.items()}
    sent = set().union(*(c.sent for c in load.clients))
    assert set(filed) == sent  # every client went on until its ticket was filed
    with in_app(cluster):
        tags = tuple(c.tag + " " for c in load.clients)
        mine = [t for t in Ticket.select() if t.subject.startswith(tags)]
        counts = collections.Counter(t.subject for t in mine)
        assert [s for s, n in counts.items() if n > 1] == []  # never stored twice
        assert {t.subject: t.id for t in mine} == filed       # never lost after a success answer
        messages = collections.Counter(m.ticket_id for m in Message.select().where(
            Message.ticket.in_([t.id for t in mine])))
        assert messages == {t.id: 1 for t in mine}
