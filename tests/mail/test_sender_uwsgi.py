"""Under uWSGI (wsgi.ini) the sender runs as an attached daemon: a queued mail reaches the real
SMTP server without anyone running `portal send-mail` by hand, and the daemon stops with uWSGI."""
import os
import shutil
import subprocess
import time

import pytest

from portal.config import ROOT
from tests.conftest import app_env
from tests.e2e.conftest import free_port
from tests.mail.test_outbox import _queue
from tests.test_uwsgi import stop, wait_for

pytestmark = pytest.mark.slow


def test_uwsgi_starts_the_sender_and_it_delivers_the_outbox(smtp_app, sink, db_url, tmp_path):
    _queue(smtp_app, 2)
    port = free_port()
    env = dict(os.environ) | app_env(db_url, tmp_path) | {
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_MAIL_BACKEND": "smtp", "PORTAL_MAIL_PORT": str(sink.port),
        "PORTAL_MAIL_DOMAIN": "support.example.test", "PORTAL_MAIL_SEND_POLL_SECONDS": "1"}
    env.pop("PORTAL_MAIL_SENDER_OFF", None)
    log = open(tmp_path / "uwsgi.log", "w")
    proc = subprocess.Popen([shutil.which("uwsgi"), "--ini", "wsgi.ini"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 60
        while len(sink.raw) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(sink.raw) == 2, (tmp_path / "uwsgi.log").read_text()[-2000:]
        assert {m["Message-ID"] for m in sink.messages()} and len({m["Message-ID"] for m in sink.messages()}) == 2
    finally:
        stop(proc)
    assert proc.returncode is not None
