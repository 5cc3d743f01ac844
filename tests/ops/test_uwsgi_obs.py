"""Under uWSGI (wsgi.ini) with 2 workers: a scrape sums every worker's samples (multiprocess
mode), the folder is emptied when the master starts, and uWSGI's own log carries no token,
because its request log is off and the portal's access line logs the route (issue 15)."""
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal.config import ROOT
from tests.conftest import app_env
from tests.e2e.conftest import free_port
from tests.ops.conftest import TOKEN
from tests.test_uwsgi import stop, wait_for

pytestmark = pytest.mark.slow
RESET_TOKEN = "ImSecretResetToken42.abcDEF-ghi_jkl"


@pytest.fixture
def two_workers(db_url, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left by an earlier run")
    (metrics_dir / "notes.txt").write_text("not ours to delete")
    env = dict(os.environ) | app_env(db_url, tmp_path) | {
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_MAIL_INBOUND_PORT": str(free_port()),
        "PORTAL_MAIL_SENDER_OFF": "1", "PORTAL_LOG_FORMAT": "json", "PORTAL_METRICS_TOKEN": TOKEN,
        "PORTAL_METRICS_DIR": str(metrics_dir)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = tmp_path / "uwsgi.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([shutil.which("uwsgi"), "--ini", "wsgi.ini", "--processes", "2"], cwd=ROOT, env=env,
                                stdout=log, stderr=log)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz")
        yield f"http://127.0.0.1:{port}", metrics_dir, log_path
    finally:
        stop(proc)


def _get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _count(text, endpoint, status):
    prefix = "portal_http_requests_total{"
    for line in text.splitlines():
        if line.startswith(prefix) and f'endpoint="{endpoint}"' in line and f'status="{status}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_scrape_sums_both_workers_and_the_log_has_no_token(two_workers):
    url, metrics_dir, log_path = two_workers
    assert not (metrics_dir / "counter_999999.db").exists()  # emptied when the master started
    assert (metrics_dir / "notes.txt").exists()              # of sample files only
    target = f"{url}/reset/{RESET_TOKEN}?next=QUERYSECRET"
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        while sent < 400:  # until both workers have answered some (they share the socket)
            statuses = list(pool.map(lambda _: _get(target)[0], range(40)))
            assert set(statuses) == {400}  # a token that is no valid signature
            sent += len(statuses)
            if len(list(metrics_dir.glob("counter_*.db"))) >= 2:
                break
    workers = {p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("counter_*.db")}
    assert len(workers) == 2, workers
    status, text = _get(f"{url}/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert _count(text, "auth.reset_password", "4xx") == sent  # both workers' counts, summed
    assert _count(text, "ops.readyz", "2xx") >= 1
    assert "portal_open_requests{" in text and "portal_state_up 1.0" in text
    assert _get(f"{url}/metrics")[0] == 404
    log = log_path.read_text()
    assert RESET_TOKEN not in log and "QUERYSECRET" not in log and TOKEN not in log
    access = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    resets = [line for line in access if line.get("path") == "/reset/<token>"]
    assert len(resets) == sent and {line["status"] for line in resets} == {400}
    assert len({line["request_id"] for line in resets}) == sent
