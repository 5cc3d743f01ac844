"""Under uWSGI with 4 processes, configured as scripts/start configures it: login brute force
racing the shared (Redis) rate limit, and credentials never written to the server log."""
import os
import re
import subprocess
import threading

import pytest
import redis
import requests

from bench.harness import ROOT, Uwsgi, csrf_from, login, make_app, portal_env
from tests.factories import PASSWORD
from tests.security.attack_helpers import _seed

REDIS_DB = 9  # this suite's own database number, flushed between tests
ATTEMPTS = 40
LIMIT = 10  # portal/web/auth.py: 10 per minute per address, 10 per 5 minutes per account


def start_environment():
    """The PORTAL_ settings scripts/start serves with (scripts/env, sourced without any of our own)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    out = subprocess.run(["bash", "-c", "source scripts/env && env -0"], cwd=ROOT, env=clean,
                         capture_output=True, text=True, check=True).stdout
    pairs = (item.partition("=") for item in out.split("\0") if item)
    return {k: v for k, _, v in pairs if k.startswith("PORTAL_")}


def _own_database(url):
    """The same Redis, this suite's database number (never a developer's counters)."""
    return url.rsplit("/", 1)[0] + f"/{REDIS_DB}" if url else url


REDIS_URL = _own_database("redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def served(migrated_template, tmp_path_factory):
    """One migrated database, seeded, behind one uWSGI (wsgi.ini, 4 processes) per module, in the
    environment scripts/start gives it: development mode and its rate-limit store."""
    from tests.conftest import empty_database
    workdir = tmp_path_factory.mktemp("uwsgi-attack")
    db_url = empty_database(migrated_template, workdir)
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    started = start_environment()
    env = portal_env(db_url, workdir, PORTAL_RATELIMIT="true", PORTAL_ENV="development") | {
        k: v for k, v in started.items() if k != "PORTAL_BIND"}  # Uwsgi binds a free port
    if "PORTAL_REDIS_URL" in started:
        env["PORTAL_REDIS_URL"] = _own_database(started["PORTAL_REDIS_URL"])
    world = _seed(make_app(env))
    with Uwsgi(env, workdir, processes=4) as server:
        yield server, world
    store.flushdb()


@pytest.mark.slow
def test_concurrent_login_guessing_is_held_to_the_limit(served):
    server, world = served
    redis.Redis.from_url(REDIS_URL).flushdb()  # counters of earlier tests in this module
    victim = world.users["customer"].email
    sessions = []
    for _ in range(ATTEMPTS):  # each guesser has its own session and token (GETs are not limited)
        session = requests.Session()
        sessions.append((session, csrf_from(session.get(server.url + "/login", timeout=30).text)))
    barrier, codes, lock = threading.Barrier(ATTEMPTS), [], threading.Lock()

    def guess(i):
        session, token = sessions[i]
        barrier.wait()
        response = session.post(server.url + "/login", timeout=60, allow_redirects=False,
                                data={"email": victim, "password": f"wrong guess {i}", "csrf_token": token})
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == ATTEMPTS and set(codes) <= {401, 429}, codes
    passed = [c for c in codes if c != 429]
    assert 1 <= len(passed) <= LIMIT, codes
    session, token = sessions[0]
    right = session.post(server.url + "/login", data={"email": victim, "password": PASSWORD, "csrf_token": token},
                         allow_redirects=False, timeout=30)
    assert right.status_code == 429  # while limited, the right password is refused too
    assert "Set-Cookie" not in right.headers or "remember_token" not in right.headers["Set-Cookie"]
    assert session.get(server.url + "/account/", allow_redirects=False, timeout=30).status_code == 302
    for session, _ in sessions:
        session.close()


@pytest.mark.slow
def test_credentials_and_passwords_never_reach_the_server_log(served):
    server, world = served
    redis.Redis.from_url(REDIS_URL).flushdb()
    secret, remote_id = "Zq9-UWSGI-PASS-5512", "RID-UWSGI-9911"
    ticket_id = world.ids["ticket_id"]
    bad = requests.Session()
    token = csrf_from(bad.get(server.url + "/login", timeout=30).text)
    bad.post(server.url + "/login", data={"email": world.users["customer"].email, "password": secret,
                                          "csrf_token": token}, timeout=30)
    customer = login(server.url, world.users["customer"].email, PASSWORD)
    page = customer.get(f"{server.url}/tickets/{ticket_id}", timeout=30).text
    response = customer.post(f"{server.url}/tickets/{ticket_id}/credentials", timeout=30, allow_redirects=False,
                             data={"remote_id": remote_id, "password": secret, "notes": secret,
                                   "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert secret not in customer.get(f"{server.url}/tickets/{ticket_id}", timeout=30).text
    agent = login(server.url, world.users["staff"].email, PASSWORD)
    staff_page = agent.get(f"{server.url}/staff/tickets/{ticket_id}", timeout=30).text
    assert secret not in staff_page
    cred = re.findall(r"/staff/credentials/(\d+)/reveal", staff_page)[-1]
    shown = agent.post(f"{server.url}/staff/credentials/{cred}/reveal", timeout=30,
                       data={"csrf_token": csrf_from(staff_page)})
    assert shown.status_code == 200 and secret in shown.text
    log = server.log_text()
    assert "POST /tickets/" in log or "/credentials" in log  # requests were logged ...
    for value in (secret, remote_id, PASSWORD):
        assert value not in log  # ... but never their bodies


def test_start_and_ci_start_redis_the_same_way():
    start, ci = (ROOT / "scripts/start").read_text(), (ROOT / ".ci/run").read_text()
    assert "source scripts/env" in start and "scripts/redis" in start and "scripts/redis" in ci
    assert "redis-server" not in start + ci  # one script starts it
    assert start_environment()["PORTAL_REDIS_URL"].startswith("redis://127.0.0.1:6379/")
