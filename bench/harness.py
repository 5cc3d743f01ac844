"""Shared by the benchmarks and the load tests: a database, uWSGI on a free port, HTTP sessions."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(db_url, workdir, **extra):
    """Environment for a portal process on this database (rate limits off unless asked)."""
    from cryptography.fernet import Fernet
    env = {
        "PORTAL_ENV": "test",
        "PORTAL_SECRET_KEY": "bench-secret-key-" + "y" * 32,
        "PORTAL_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "PORTAL_DATABASE_URL": db_url,
        "PORTAL_MAIL_BACKEND": "file",
        "PORTAL_MAIL_DIR": str(Path(workdir) / "outbox"),
        "PORTAL_UPLOAD_DIR": str(Path(workdir) / "uploads"),
        "PORTAL_METRICS_DIR": str(Path(workdir) / "metrics"),  # not instance/: removed with the run
        "PORTAL_RATELIMIT": "false",
        # the inbound mail server uWSGI starts beside the portal: a port of its own, so two servers
        # (or a portal started by scripts/start on this machine) never fight over 2525
        "PORTAL_MAIL_INBOUND_PORT": str(free_port()),
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def make_app(env):
    """A portal app object for seeding in this process."""
    from portal.web import create_app
    return create_app({"TESTING": True}, env=env)


class Uwsgi:
    """`uwsgi --ini wsgi.ini` on a free port; use as a context manager."""

    def __init__(self, env, workdir, processes=4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ) | env | {"PORTAL_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = Path(workdir) / f"uwsgi-{self.port}.log"
        self.processes = processes
        self.proc = None

    def __enter__(self):
        binary = shutil.which("uwsgi") or str(Path(sys.executable).parent / "uwsgi")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([binary, "--ini", "wsgi.ini", "--processes", str(self.processes)],
                                     cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        self.wait_ready()
        return self

    def wait_ready(self, seconds=60):
        """Block until /ping answers in every worker's place."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uwsgi exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/ping", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("uwsgi did not start in time")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace")


def csrf_from(html):
    """The CSRF token in a page's form."""
    match = CSRF_RE.search(html)
    if not match:
        raise AssertionError("no CSRF token in page")
    return match.group(1)


def login(base_url, email, password):
    """A requests.Session logged in through the login form."""
    session = requests.Session()
    token = csrf_from(session.get(base_url + "/login", timeout=30).text)
    response = session.post(base_url + "/login", data={"email": email, "password": password,
                                                       "csrf_token": token},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise AssertionError(f"login failed for {email}: {response.status_code}")
    session.base_url = base_url
    return session


def percentile(values, fraction):
    """The value at `fraction` (0..1) of the sorted values."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_gets(session, url, count):
    """Latencies in seconds of `count` sequential GETs (each must answer 200)."""
    latencies = []
    for _ in range(count):
        began = time.perf_counter()
        response = session.get(url, timeout=60)
        latencies.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
    return latencies
