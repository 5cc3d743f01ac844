"""wsgi.ini loads the app once in the master and forks the workers from it (portal/web/prefork.py):
the workers serve pages with their own database connections, a respawned worker too, and no two
workers share one random sequence."""
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from portal.config import ROOT
from tests.conftest import app_env
from tests.e2e.conftest import free_port
from tests.test_uwsgi import stop, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def forked_server(db_url, tmp_path):
    """uWSGI per wsgi.ini, each worker respawned after 5 requests (max-requests; a worker must
    have lived a second first, uWSGI's min-worker-lifetime, 10 s by default)."""
    port = free_port()
    env = dict(os.environ) | app_env(db_url, tmp_path) | {
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_MAIL_INBOUND_PORT": str(free_port()),
        "PORTAL_MAIL_SENDER_OFF": "1", "PORTAL_MAIL_INBOUND_OFF": "1"}
    log_path = tmp_path / "uwsgi.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([shutil.which("uwsgi"), "--ini", "wsgi.ini", "--max-requests", "5",
                             "--min-worker-lifetime", "1"],
                            cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        stop(proc)
        log.close()


def test_app_loaded_once_and_respawned_workers_serve_with_their_own_connections(forked_server):
    url, log_path = forked_server
    wait_for(url + "/healthz")
    time.sleep(1.5)  # the workers' minimum lifetime
    for _ in range(60):  # each worker is respawned (forked again from the master) several times
        with urllib.request.urlopen(url + "/readyz", timeout=10) as response:  # asks the database
            assert response.status == 200 and b'"database":"ok"' in response.read().replace(b" ", b"")
    with urllib.request.urlopen(url + "/login", timeout=10) as response:
        assert response.status == 200
    deadline = time.monotonic() + 10
    while "Respawned uWSGI worker" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log_path.read_text()
    assert "Respawned uWSGI worker" in text
    assert len(re.findall(r"WSGI app 0 \(mountpoint=''\) ready", text)) == 1  # in the master, not per worker
    assert "Traceback" not in text


def test_postfork_reseeds_random(monkeypatch):
    """after_fork gives each worker a sequence of its own (uWSGI forks without Python's at-fork hooks)."""
    import random

    from portal.web import prefork
    random.seed(1234)
    inherited = random.random()
    random.seed(1234)
    prefork.after_fork(app=None)
    assert random.random() != inherited
