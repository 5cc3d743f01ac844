"""Faults under load (uWSGI, 4 workers): PostgreSQL restarted mid-load, SQLite writers colliding.

A failure must reach the user as a clean 503 page (no trace, no driver names), the service must
recover by itself once the database is back, and nothing may be half-written.
"""
import collections
import os
import random
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from bench import harness
from portal.models import MailNotice, Message, OutboxMail, Ticket
from portal.services import tickets as ticket_service
from tests import factories
from tests.conftest import PG_URL
from tests.load.conftest import (BODY, form_data, in_app, leaks_in, login_all, make_users,
                                 new_ticket_form, post_ticket, run_threads, subject_for, ticket_id_of)

pytestmark = pytest.mark.slow

OK = (200, 302)


class Client:
    """A customer filing tickets the way a browser does, retrying the same form after a failure."""

    def __init__(self, session, tag):
        self.session, self.tag = session, tag
        self.answers = []  # (started, method, status or exception name, leaks, body head)
        self.filed = {}    # subject → ticket id

    def call(self, label, send):
        """send() one request and note its answer (or the exception's name)."""
        started = time.monotonic()
        try:
            response = send()
        except requests.RequestException as exc:  # a dropped connection is a failure too
            self.answers.append((started, label, type(exc).__name__, [], ""))
            return None
        self.answers.append((started, label, response.status_code, leaks_in(response.text),
                             response.text[:400]))
        return response

    def file_one(self, n, deadline):
        """File ticket n, resending the same form (same submit_token) until it lands."""
        subject, data = subject_for(self.tag, n), None
        while time.monotonic() < deadline:
            if data is None:
                page = self.call("form", lambda: self.session.get(self.session.base_url + "/tickets/new",
                                                                  timeout=30))
                if page is not None and page.status_code == 200:
                    data = form_data(page.text) | {"subject": subject, "body": f"{BODY} ({subject})"}
            if data is not None:
                response = self.call("file", lambda: post_ticket(self.session, data))
                if response is not None and ticket_id_of(response):
                    self.filed[subject] = ticket_id_of(response)
                    return
                if response is not None and response.status_code != 503:
                    raise AssertionError(f"{self.tag}: {response.status_code} {response.text[:300]}")
            time.sleep(0.2)
        raise AssertionError(f"{self.tag}: ticket {n} not filed in time: {self.answers[-3:]}")


def _collect(errors, target, *args):
    """Run target(*args), keeping any exception for the test thread to report."""
    try:
        target(*args)
    except BaseException as exc:  # noqa: BLE001 - re-raised by the test
        errors.append(exc)


def _pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def _pg_ctl(action):
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
                   check=True, timeout=120, capture_output=True)


def _restart_postgres():
    """Restart the cluster (fast shutdown cuts every open connection); a checkpoint just before keeps
    the shutdown checkpoint, and so the downtime, short for everyone else sharing the server."""
    import psycopg2
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    conn.cursor().execute("CHECKPOINT")
    conn.close()
    _pg_ctl("restart")


def _ensure_postgres_running():
    """Whatever happened, leave PostgreSQL running for everyone else."""
    if not _pg_ready():
        try:
            _pg_ctl("start")
        except subprocess.CalledProcessError:  # already starting: wait for it below
            pass
    for _ in range(60):
        if _pg_ready():
            return
        time.sleep(0.5)


def _check_half_written(server, clients):
    """Every filed ticket stored once with its first message; nothing stored that nobody filed."""
    filed = {subject: ticket_id for c in clients for subject, ticket_id in c.filed.items()}
    with in_app(server):
        mine = {t.subject: t for t in Ticket.select() if t.subject in filed or "restart" in t.subject}
        assert {s: t.id for s, t in mine.items()} == filed
        firsts = collections.Counter(m.ticket_id for m in Message.select().where(
            Message.ticket.in_([t.id for t in mine.values()])))
        assert firsts == {t.id: 1 for t in mine.values()}
        assert Ticket.select().count() == Message.select(Message.ticket).distinct().count()


def _assert_clean_failures(answers):
    """Only 200, 302 and the 503 page; no page shows a trace or a driver's name."""
    unclean = [a for a in answers if a[2] not in (200, 302, 503) or a[3]]
    assert not unclean, unclean[:5]
    assert all("Temporarily unavailable" in a[4] for a in answers if a[2] == 503)


def test_colliding_writers_never_show_a_database_error(server):
    """Customers file and reply while agents claim and answer the same tickets (policy 2.1 clock)."""
    with in_app(server):
        owner = factories.make_user(level="PRO")
        seeded = [ticket_service.create_ticket(owner, "Remote Utilities", "", subject_for("mixed", n), BODY,
                                               accept_policy=True).id for n in range(24)]
        agents = [factories.make_user(role="staff", display_name=f"Mixed {k}") for k in range(6)]
        agents = [(a.id, a.email, a.name) for a in agents]
    customers = login_all(server, make_users(server, 14, level="PRO"))
    staff = login_all(server, agents)
    answers, replies = [], []

    def record(response, allowed=OK):
        answers.append((response.status_code in allowed and not leaks_in(response.text),
                        response.request.method, response.url, response.status_code, response.text[:300]))
        return response

    def customer(i):
        session = customers[i]
        for n in range(6):
            page, data = new_ticket_form(session)
            if data is None:
                return record(page)
            data.update(subject=subject_for(f"mixed-c{i}", n), body=BODY)
            ticket_id = ticket_id_of(record(post_ticket(session, data)))
            if ticket_id is None:
                return
            token = harness.csrf_from(record(session.get(f"{server.url}/tickets/{ticket_id}")).text)
            record(session.post(f"{server.url}/tickets/{ticket_id}/reply", allow_redirects=False,
                                data={"csrf_token": token, "body": "Any news? It happened again today."}))
            record(session.get(f"{server.url}/tickets/"))

    def agent(k):
        session, order = staff[k], random.Random(k).sample(seeded, len(seeded))
        token = harness.csrf_from(record(session.get(f"{server.url}/staff/queue")).text)
        for ticket_id in order:
            url = f"{server.url}/staff/tickets/{ticket_id}"
            claim = record(session.post(url + "/claim", data={"csrf_token": token}, allow_redirects=False),
                           OK + (409,))
            if claim.status_code == 302:
                reply = record(session.post(url + "/reply", allow_redirects=False, data={
                    "csrf_token": token, "body": "Please update to the latest release and try again."}))
                replies.append(reply.status_code)
    run_threads(len(customers) + len(staff),
                lambda i: customer(i) if i < len(customers) else agent(i - len(customers)))

    bad = [a[1:] for a in answers if not a[0]]
    assert not bad, bad[:5]  # every answer 2xx/3xx (409: lost a claim), none a 503 or 500
    log = server.log_text()
    for symptom in ("database is locked", "database unavailable", "deadlock", "Traceback"):
        assert symptom not in log, symptom
    assert replies == [302] * len(seeded)  # each seeded ticket claimed once and answered once
    deadline = time.monotonic() + 60  # the sender uWSGI runs beside the portal writes and delivers them all
    with in_app(server):  # every staff reply queued with its reply, once
        assert OutboxMail.select().where(OutboxMail.kind == "staff_reply").count() == len(seeded)
        while MailNotice.select().exists() and time.monotonic() < deadline:  # filed tickets' "we received"
            time.sleep(0.2)
        assert not MailNotice.select().exists()
        queued = OutboxMail.select().count()
    while len(list(Path(server.workdir, "outbox").glob("*.eml"))) < queued and time.monotonic() < deadline:
        time.sleep(0.2)
    mails = list(Path(server.workdir, "outbox").glob("*.eml"))
    assert len(mails) == queued  # every queued mail delivered, none twice, none overwritten


@pytest.mark.skipif(not PG_URL, reason="restarts PostgreSQL: only with PORTAL_TEST_DATABASE_URL "
                                       "(SQLite has no server to restart)")
def test_postgresql_restart_under_load_fails_cleanly_and_recovers(server):
    users = make_users(server, 8, level="PRO")
    clients = [Client(s, f"restart{i}") for i, s in enumerate(login_all(server, users))]
    back = threading.Event()
    back_at = [None]

    def customer(i):
        # Files until eight answers came after PostgreSQL was back, however long the restart took
        # on a busy machine (a cap on the count let every client stop before the restart ended).
        client, n, deadline = clients[i], 0, time.monotonic() + 300
        while not (back.is_set() and len([a for a in client.answers if a[0] > back_at[0]]) >= 8):
            client.file_one(n, deadline)
            n += 1
    crashed = []
    loader = threading.Thread(target=lambda: _collect(crashed, run_threads, len(clients), customer))
    loader.start()
    try:
        while sum(len(c.filed) for c in clients) < 16 and loader.is_alive():
            time.sleep(0.05)
        assert loader.is_alive(), crashed  # never restart PostgreSQL for a test that already failed
        _restart_postgres()  # open connections are cut mid-request
        assert _pg_ready()
    finally:
        _ensure_postgres_running()
        back_at[0] = time.monotonic()
        back.set()
    loader.join(180)
    assert not loader.is_alive() and not crashed, crashed
    answers = [a for c in clients for a in c.answers]
    failures = [a for a in answers if a[2] not in OK]
    assert failures, "the restart went unnoticed: the test did not exercise the fault"
    _assert_clean_failures(answers)
    after = [a for a in answers if a[0] > back_at[0]]
    assert after and all(a[2] in OK for a in after), [a for a in after if a[2] not in OK][:5]  # recovered
    _check_half_written(server, clients)
    log = server.log_text()
    assert "Traceback" not in log
    assert log.count("spawned uWSGI worker") == 4 and "respawn" not in log  # no worker died


@pytest.mark.skipif(not PG_URL, reason="restarts PostgreSQL: only with PORTAL_TEST_DATABASE_URL "
                                       "(SQLite has no server to restart)")
def test_pooled_connections_cut_while_idle_are_replaced_not_reused(server):
    """Every worker holds a pooled connection; PostgreSQL restarts while nobody asks; none fails after."""
    users = make_users(server, 8, level="PRO")
    sessions = login_all(server, users)
    run_threads(len(sessions), lambda i: [sessions[i].get(f"{server.url}/tickets/", timeout=60)
                                          for _ in range(4)])  # every worker has used its pool
    try:
        _restart_postgres()
    finally:
        _ensure_postgres_running()
    answers = [sessions[n % len(sessions)].get(f"{server.url}/tickets/", timeout=60) for n in range(16)]
    assert [r.status_code for r in answers] == [200] * 16, [r.text[:300] for r in answers if r.status_code != 200]
