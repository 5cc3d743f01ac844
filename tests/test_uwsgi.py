"""wsgi.ini runs the app under uWSGI with 4 workers and binds to $PORTAL_BIND (issue 2 part 9)."""
import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from portal.config import ROOT
from tests.conftest import app_env
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.slow


def wait_for(url, seconds=90):
    """The body of the first successful GET within `seconds` (4 workers and 2 daemons load the app
    at once: on a busy machine running the suite in parallel that took over 30 s)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# /healthz answers once one worker is ready; a worker that SIGTERM finds still starting (inside its
# postfork hook, where the signal lands as a KeyboardInterrupt) is given uWSGI's
# worker-reload-mercy (60 s) before it is killed: wait past it (the server still has to stop by itself).
UWSGI_STOP_SECONDS = 90


def stop(proc):
    """SIGTERM, then wait for uWSGI to stop by itself. A SIGTERM that reaches the master while it
    is still forking its workers can go unanswered (seen about once in 40 starts); a second one,
    as an operator or systemd would send, ends it."""
    proc.terminate()
    try:
        proc.wait(timeout=UWSGI_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(timeout=UWSGI_STOP_SECONDS)


@pytest.fixture
def uwsgi_server(db_url, tmp_path):
    port, inbound = free_port(), free_port()
    env = dict(os.environ) | app_env(db_url, tmp_path) | {"PORTAL_BIND": f"127.0.0.1:{port}",
                                                           "PORTAL_MAIL_INBOUND_PORT": str(inbound)}
    binary = shutil.which("uwsgi")
    log = open(tmp_path / "uwsgi.log", "w")
    proc = subprocess.Popen([binary, "--ini", "wsgi.ini"], cwd=ROOT, env=env, stdout=log, stderr=log)
    yield f"http://127.0.0.1:{port}", tmp_path / "uwsgi.log", inbound
    stop(proc)


def test_uwsgi_serves_pages(uwsgi_server):
    url, log, _ = uwsgi_server
    status, body = wait_for(url + "/readyz")
    assert status == 200 and '"database":"ok"' in body.replace(" ", "")
    status, body = wait_for(url + "/login")
    assert status == 200 and "Log in" in body
    deadline = time.monotonic() + 15  # the master spawns them one by one: the first may answer before the last is up
    while log.read_text().count("spawned uWSGI worker") < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert log.read_text().count("spawned uWSGI worker") == 4


def test_uwsgi_starts_the_inbound_mail_server(uwsgi_server):
    """wsgi.ini attaches `portal receive-mail` (reply by email, policy 4.3): it answers SMTP and
    refuses an address that is no ticket's at RCPT."""
    import smtplib
    url, _, inbound = uwsgi_server
    wait_for(url + "/healthz")
    deadline = time.monotonic() + 30
    while True:
        try:
            smtp = smtplib.SMTP("127.0.0.1", inbound, timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with smtp:
        assert smtp.ehlo()[0] == 250
        smtp.mail("someone@customer.test")
        assert smtp.rcpt("nobody@portal.test")[0] == 550
        assert smtp.rcpt("support@portal.test")[0] == 250


def test_inbound_off_leaves_the_inbound_server_out(db_url, tmp_path):
    """PORTAL_MAIL_INBOUND_OFF=1 (the second node on a machine, docs/deployment.md): no inbound
    server is started beside the workers, so two nodes never fight over its port."""
    port, inbound = free_port(), free_port()
    env = dict(os.environ) | app_env(db_url, tmp_path) | {
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_MAIL_INBOUND_PORT": str(inbound),
        "PORTAL_MAIL_INBOUND_OFF": "1", "PORTAL_MAIL_SENDER_OFF": "1"}
    with open(tmp_path / "uwsgi.log", "w") as log:
        proc = subprocess.Popen([shutil.which("uwsgi"), "--ini", "wsgi.ini"], cwd=ROOT, env=env,
                                stdout=log, stderr=log)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz")[0] == 200
        text = (tmp_path / "uwsgi.log").read_text()
        assert "spawned uWSGI worker" in text and "uwsgi-daemons" not in text
    finally:
        stop(proc)
