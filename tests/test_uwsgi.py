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


def wait_for(url, seconds=30):
    """The body of the first successful GET within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def uwsgi_server(db_url, tmp_path):
    port = free_port()
    env = dict(os.environ) | app_env(db_url, tmp_path) | {"PORTAL_BIND": f"127.0.0.1:{port}"}
    binary = shutil.which("uwsgi")
    log = open(tmp_path / "uwsgi.log", "w")
    proc = subprocess.Popen([binary, "--ini", "wsgi.ini"], cwd=ROOT, env=env, stdout=log, stderr=log)
    yield f"http://127.0.0.1:{port}", tmp_path / "uwsgi.log"
    proc.terminate()
    proc.wait(timeout=20)


def test_uwsgi_serves_pages(uwsgi_server):
    url, log = uwsgi_server
    status, body = wait_for(url + "/healthz")
    assert status == 200 and '"database":true' in body.replace(" ", "")
    status, body = wait_for(url + "/login")
    assert status == 200 and "Log in" in body
    assert log.read_text().count("spawned uWSGI worker") == 4
