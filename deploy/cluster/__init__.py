"""The production layout on one machine, for trying and testing (scripts/cluster; docs/deployment.md).

nginx (TLS, deploy/nginx/portal.conf) in front of two uWSGI nodes (deploy/uwsgi/node.ini) on
PostgreSQL and a Redis of its own. Everything it starts is written to `state.json` in the state
folder (default instance/cluster/), so `stop` in another process ends exactly that. Nothing here is
imported by the app.

    python3 -m deploy.cluster start [--demo] [--private-postgres] [--dir DIR]
    python3 -m deploy.cluster status | rolling-restart | stop [--dir DIR]
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy.cluster.nginx import Nginx
from deploy.cluster.processes import (alive, ensure_tools, free_port, get_status, kill_group, uwsgi,
                                      wait_gone)
from deploy.cluster.stores import Stores

ROOT = Path(__file__).resolve().parents[2]
NODE_INI = ROOT / "deploy" / "uwsgi" / "node.ini"
READY_PATH = "/readyz"  # what a node must answer 200 on before nginx sends it traffic: database, Redis, outbox


class Cluster(Nginx, Stores):
    """One cluster's processes and files; every method may be called again after a failure."""

    def __init__(self, folder=ROOT / "instance" / "cluster"):
        self.dir = Path(folder).resolve()
        self.state_path = self.dir / "state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    # ---- the whole thing -------------------------------------------------------------------
    def start(self, nodes=2, processes=2, demo=False, private_postgres=False, database_url=None):
        if self.state.get("nginx_pid") and alive(self.state["nginx_pid"]):
            raise RuntimeError(f"a cluster already runs from {self.dir} (stop it first)")
        ensure_tools()
        self.dir.mkdir(parents=True, exist_ok=True)
        # pid and socket folders the postgres and www-data users can reach (tmp_path may be 0700)
        self.state = {"scratch": tempfile.mkdtemp(prefix="portal-cluster-"), "nodes": [],
                      "http_port": free_port(), "https_port": free_port()}
        os.chmod(self.state["scratch"], 0o755)
        self._save()
        try:
            self._start_redis()
            self._start_database(private_postgres, database_url)
            env = self._write_env()
            self._manage("migrate")
            if demo:
                self._manage("demo")
            for i in range(nodes):
                self.state["nodes"].append({"port": free_port(), "processes": processes,
                                            "mail": i == 0, "up": True})
            self._save()
            for i in range(nodes):
                self.start_node(i)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return env

    def pids(self):
        """Every process this cluster started that should be running (nginx, nodes, Redis, PostgreSQL)."""
        found = [self.state.get("nginx_pid"), self.state.get("redis_pid"),
                 *(n.get("pid") for n in self.state.get("nodes", []))]
        postmaster = Path(self.state.get("pg_data") or "/nonexistent") / "postmaster.pid"
        if postmaster.exists():
            found.append(int(postmaster.read_text().split()[0]))
        return [pid for pid in found if pid]

    def stop(self):
        """Stop everything state.json names; safe to call twice, or after a half-finished start."""
        nginx = self.state.get("nginx_pid")
        if nginx and alive(nginx):
            os.kill(nginx, signal.SIGQUIT)  # graceful: answers in flight are finished
            if not wait_gone(nginx, 20):
                os.kill(nginx, signal.SIGKILL)
        for i, _ in enumerate(self.state.get("nodes", [])):
            self.stop_node(i)
        self.stop_redis()
        self._stop_private_postgres()
        scratch = self.state.get("scratch")
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        self.state = {}
        self.state_path.unlink(missing_ok=True)

    def status(self):
        lines = []
        if not self.state:
            return ["not running"]
        lines.append(f"url       {self.url}  (certificate {self.dir / 'tls' / 'portal.crt'})")
        lines.append(f"database  {self.state['database_url']}")
        lines.append(f"redis     {'running' if self.redis_answers() else 'NOT running'} "
                     f"on 127.0.0.1:{self.state['redis_port']}")
        for i, node in enumerate(self.state["nodes"]):
            ready = get_status(self.node_url(i) + READY_PATH) == 200
            lines.append(f"node {i}    127.0.0.1:{node['port']} pid {node.get('pid')} "
                         f"{'ready' if ready else 'NOT ready'}{'' if node['up'] else ', out of nginx'}"
                         f"{', mail sender + inbound' if node['mail'] else ''}")
        lines.append(f"nginx     pid {self.state.get('nginx_pid')} "
                     f"{'running' if alive(self.state.get('nginx_pid') or 0) else 'NOT running'}")
        return lines

    def rolling_restart(self, log=print):
        """One node after the other: out of nginx, drained, restarted, ready, back in."""
        for i in range(len(self.state["nodes"])):
            log(f"node {i}: out of nginx")
            self.set_up(i, False)
            self._wait_drained()
            log(f"node {i}: restarting")
            self.stop_node(i)
            self.start_node(i)
            log(f"node {i}: ready, back in nginx")
            self.set_up(i, True)

    # ---- addresses -------------------------------------------------------------------------
    @property
    def url(self):
        return f"https://127.0.0.1:{self.state['https_port']}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.state['http_port']}"

    @property
    def cert(self):
        return str(self.dir / "tls" / "portal.crt")

    @property
    def database_url(self):
        return self.state["database_url"]

    def node_url(self, i):
        return f"http://127.0.0.1:{self.state['nodes'][i]['port']}"

    def node_env(self, i):
        node = self.state["nodes"][i]
        env = self._read_env() | {
            "PORTAL_BIND": f"127.0.0.1:{node['port']}",
            "PORTAL_NODE_PROCESSES": str(node["processes"]),
            # attachments stay on a node's disk until they move into the database (issue 15): a
            # folder of its own per node, so the cluster shows what is still node-local
            "PORTAL_UPLOAD_DIR": str(self.dir / f"node{i}" / "uploads"),
        }
        if not node["mail"]:  # one sender and one inbound server per cluster (one inbound port)
            env |= {"PORTAL_MAIL_SENDER_OFF": "1", "PORTAL_MAIL_INBOUND_OFF": "1"}
        return env

    # ---- nodes -----------------------------------------------------------------------------
    def start_node(self, i, wait=True):
        node = self.state["nodes"][i]
        folder = self.dir / f"node{i}"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "uwsgi.log", "a") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen([uwsgi(), "--ini", str(NODE_INI)], cwd=ROOT,
                                    env=dict(os.environ) | self.node_env(i), stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        node["pid"] = proc.pid  # its own process group: workers and attached daemons stop with it
        self._save()
        if wait:
            self.wait_node_ready(i)

    def wait_node_ready(self, i, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not alive(self.state["nodes"][i]["pid"]):
                raise RuntimeError(f"node {i} exited: {self.node_log(i)[-2000:]}")
            if get_status(self.node_url(i) + READY_PATH) == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"node {i} not ready in {seconds} s")

    def stop_node(self, i):
        pid = self.state["nodes"][i].get("pid")
        if pid and alive(pid):
            os.kill(pid, signal.SIGTERM)  # the master stops its workers and attached daemons
            if not wait_gone(pid, 45):
                kill_group(pid, signal.SIGKILL)
                wait_gone(pid, 10)
            kill_group(pid, signal.SIGKILL)  # any straggler of that group (never another's)
        self.state["nodes"][i]["pid"] = None
        self._save()

    def kill_node(self, i):
        """kill -9 the node's master, workers and daemons at once: a machine that died."""
        pid = self.state["nodes"][i]["pid"]
        kill_group(pid, signal.SIGKILL)
        wait_gone(pid, 10)
        self.state["nodes"][i]["pid"] = None
        self._save()

    def node_log(self, i):
        path = self.dir / f"node{i}" / "uwsgi.log"
        return path.read_text(errors="replace") if path.exists() else ""


    def env(self):
        """The settings every node runs with (instance/cluster/portal.env: secrets, keep private)."""
        return self._read_env()

    def _write_env(self):
        """The settings every node shares, generated once (secrets kept across restarts)."""
        from cryptography.fernet import Fernet
        path = self.dir / "portal.env"
        kept = self._read_env() if path.exists() else {}
        env = {
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": kept.get("PORTAL_SECRET_KEY") or secrets.token_hex(32),
            "PORTAL_CREDENTIALS_KEY": kept.get("PORTAL_CREDENTIALS_KEY") or Fernet.generate_key().decode(),
            "PORTAL_DATABASE_URL": self.state["database_url"],
            "PORTAL_REDIS_URL": f"redis://127.0.0.1:{self.state['redis_port']}/0",
            "PORTAL_BASE_URL": "https://127.0.0.1",  # rewritten below once nginx's port is known
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
            "PORTAL_METRICS_TOKEN": kept.get("PORTAL_METRICS_TOKEN") or secrets.token_hex(24),
            "PORTAL_MAIL_BACKEND": "file",  # the trial cluster mails into a folder, not to the world
            "PORTAL_MAIL_DIR": str(self.dir / "outbox"),
            "PORTAL_MAIL_INBOUND_PORT": str(free_port()),
            "PORTAL_MAX_UPLOAD_MB": "10",
        }
        self._save_env(env)
        return env

    def _save_env(self, env):
        path = self.dir / "portal.env"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# generated by scripts/cluster (secrets: keep private)\n")
            handle.writelines(f"{k}={v}\n" for k, v in env.items())

    def _read_env(self):
        path = self.dir / "portal.env"
        env = {}
        for line in path.read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
        if self.state.get("https_port"):
            env["PORTAL_BASE_URL"] = self.url
        return env

    def _manage(self, command):
        """A `flask --app app portal` command with the cluster's settings."""
        env = dict(os.environ) | self._read_env()
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", "portal", command], cwd=ROOT,
                       env=env, check=True, capture_output=True, text=True)

    def _save(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps(self.state, indent=1))
