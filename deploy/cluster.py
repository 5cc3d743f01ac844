"""The production layout on one machine, for trying and testing (scripts/cluster; docs/deployment.md).

nginx (TLS, deploy/nginx/portal.conf) in front of two uWSGI nodes (deploy/uwsgi/node.ini) on
PostgreSQL and a Redis of its own. Everything it starts is written to `state.json` in the state
folder (default instance/cluster/), so `stop` in another process ends exactly that. Nothing here is
imported by the app.

    python3 -m deploy.cluster start [--demo] [--private-postgres] [--dir DIR]
    python3 -m deploy.cluster status | rolling-restart | stop [--dir DIR]
"""
import argparse
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "portal.conf"
NODE_INI = ROOT / "deploy" / "uwsgi" / "node.ini"
READY_PATH = "/healthz"  # what a node must answer 200 on before nginx sends it traffic
MACHINE_PG = "postgresql://postgres@127.0.0.1:5432"
PG_BIN = Path("/usr/lib/postgresql")
TOOLS = {"nginx": "nginx", "redis-server": "redis-server", "openssl": "openssl"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_tools():
    """apt-get install what is missing (idempotent, as scripts/install does for chromium)."""
    missing = [package for command, package in TOOLS.items()
               if not shutil.which(command) and not Path("/usr/sbin", command).exists()]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", *missing], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def _binary(name):
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _uwsgi():
    return shutil.which("uwsgi") or str(Path(sys.executable).parent / "uwsgi")


def _pg_tool(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(PG_BIN.glob("*/bin/" + name))
    if not versions:
        raise RuntimeError(f"{name} not found: install postgresql")
    return str(versions[-1])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own child not yet reaped) is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    return not _alive(pid)


def _kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _get(url, timeout=2):
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status
    except Exception as exc:  # noqa: BLE001 - any failure: not ready
        return getattr(exc, "code", None)


class Cluster:
    """One cluster's processes and files; every method may be called again after a failure."""

    def __init__(self, folder=ROOT / "instance" / "cluster"):
        self.dir = Path(folder).resolve()
        self.state_path = self.dir / "state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    # ---- the whole thing -------------------------------------------------------------------
    def start(self, nodes=2, processes=2, demo=False, private_postgres=False, database_url=None):
        if self.state.get("nginx_pid") and _alive(self.state["nginx_pid"]):
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
        if nginx and _alive(nginx):
            os.kill(nginx, signal.SIGQUIT)  # graceful: answers in flight are finished
            if not _wait_gone(nginx, 20):
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
            ready = _get(self.node_url(i) + READY_PATH) == 200
            lines.append(f"node {i}    127.0.0.1:{node['port']} pid {node.get('pid')} "
                         f"{'ready' if ready else 'NOT ready'}{'' if node['up'] else ', out of nginx'}"
                         f"{', mail sender + inbound' if node['mail'] else ''}")
        lines.append(f"nginx     pid {self.state.get('nginx_pid')} "
                     f"{'running' if _alive(self.state.get('nginx_pid') or 0) else 'NOT running'}")
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
            proc = subprocess.Popen([_uwsgi(), "--ini", str(NODE_INI)], cwd=ROOT,
                                    env=dict(os.environ) | self.node_env(i), stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        node["pid"] = proc.pid  # its own process group: workers and attached daemons stop with it
        self._save()
        if wait:
            self.wait_node_ready(i)

    def wait_node_ready(self, i, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not _alive(self.state["nodes"][i]["pid"]):
                raise RuntimeError(f"node {i} exited: {self.node_log(i)[-2000:]}")
            if _get(self.node_url(i) + READY_PATH) == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"node {i} not ready in {seconds} s")

    def stop_node(self, i):
        pid = self.state["nodes"][i].get("pid")
        if pid and _alive(pid):
            os.kill(pid, signal.SIGTERM)  # the master stops its workers and attached daemons
            if not _wait_gone(pid, 45):
                _kill_group(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
            _kill_group(pid, signal.SIGKILL)  # any straggler of that group (never another's)
        self.state["nodes"][i]["pid"] = None
        self._save()

    def kill_node(self, i):
        """kill -9 the node's master, workers and daemons at once: a machine that died."""
        pid = self.state["nodes"][i]["pid"]
        _kill_group(pid, signal.SIGKILL)
        _wait_gone(pid, 10)
        self.state["nodes"][i]["pid"] = None
        self._save()

    def node_log(self, i):
        path = self.dir / f"node{i}" / "uwsgi.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def set_up(self, i, up):
        """Put node i in or out of nginx's upstream (marked `down`) and reload nginx."""
        self.state["nodes"][i]["up"] = up
        self._save()
        self._write_nginx_site()
        subprocess.run([_binary("nginx"), "-c", str(self.dir / "nginx" / "nginx.conf"), "-s", "reload"],
                       check=True, capture_output=True)
        self._wait_reloaded()

    # ---- nginx -----------------------------------------------------------------------------
    def _start_nginx(self):
        folder = self.dir / "nginx"
        folder.mkdir(parents=True, exist_ok=True)
        self._make_certificate()
        temp = Path(self.state["scratch"]) / "nginx"
        temp.mkdir(exist_ok=True)
        user = ""
        if os.geteuid() == 0:  # workers run as www-data (Debian's); they write request bodies to temp
            user = "user www-data;"
            ids = pwd.getpwnam("www-data")
            os.chown(temp, ids.pw_uid, ids.pw_gid)
        (folder / "nginx.conf").write_text(f"""# generated by deploy/cluster.py: the trial cluster's nginx,
# with pid, logs and temp files of its own (the system nginx is not touched)
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/portal.conf;
}}
""")
        self._write_nginx_site()
        conf = str(folder / "nginx.conf")
        test = subprocess.run([_binary("nginx"), "-t", "-c", conf], capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"nginx configuration: {test.stderr}")
        subprocess.run([_binary("nginx"), "-c", conf], check=True, capture_output=True)
        deadline = time.monotonic() + 20
        while not (folder / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.state["nginx_pid"] = int((folder / "nginx.pid").read_text())
        while not self._workers()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.state["nginx_workers"] = self._workers()[0]
        self._save()
        import requests
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/login", verify=self.cert, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("nginx does not answer")

    def _write_nginx_site(self):
        """deploy/nginx/portal.conf with this cluster's ports, certificate and checkout."""
        site = SITE.read_text()
        lines = "\n".join(f"    server 127.0.0.1:{n['port']} max_fails=2 fail_timeout=5s{'' if n['up'] else ' down'};"
                          for n in self.state["nodes"])
        upload_mb = self._read_env().get("PORTAL_MAX_UPLOAD_MB", "10")
        http, https = self.state["http_port"], self.state["https_port"]
        replacements = [
            (r"    # nodes: begin\n.*?    # nodes: end\n", f"    # nodes: begin\n{lines}\n    # nodes: end\n"),
            (r"    listen \[::\]:80;\n", ""),
            (r"    listen \[::\]:443 ssl http2;\n", ""),
            (r"listen 80;", f"listen 127.0.0.1:{http};"),
            (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
            (r"return 301 https://\$host\$request_uri;", f"return 301 https://$host:{https}$request_uri;"),
            (r"/etc/ssl/certs/portal\.crt", self.cert),
            (r"/etc/ssl/private/portal\.key", str(self.dir / "tls" / "portal.key")),
            (r"/opt/portal/", f"{ROOT}/"),
            (r"client_max_body_size \d+m;", f"client_max_body_size {upload_mb}m;"),
        ]
        for pattern, value in replacements:  # every one must apply: the site file and this stay in step
            site, count = re.subn(pattern, lambda _m, v=value: v, site, flags=re.S)
            if not count:
                raise RuntimeError(f"deploy/nginx/portal.conf no longer has {pattern!r}")
        (self.dir / "nginx" / "portal.conf").write_text("# generated from deploy/nginx/portal.conf\n" + site)

    def _make_certificate(self):
        tls = self.dir / "tls"
        if (tls / "portal.crt").exists():
            return
        tls.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
                        "-keyout", str(tls / "portal.key"), "-out", str(tls / "portal.crt"),
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True)
        os.chmod(tls / "portal.key", 0o600)

    def _workers(self):
        """nginx worker pids of our master: (serving, shutting down)."""
        master, serving, leaving = self.state["nginx_pid"], [], []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if int(stat.rsplit(") ", 1)[1].split()[1]) != master:
                continue
            (leaving if "shutting down" in cmdline else serving).append(int(proc.name))
        return serving, leaving

    def _wait_reloaded(self, seconds=20):
        """After `nginx -s reload`: a new worker with the new configuration serves."""
        before = set(self.state.get("nginx_workers", []))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            serving, _ = self._workers()
            if serving and not set(serving) & before:
                self.state["nginx_workers"] = serving
                self._save()
                return
            time.sleep(0.05)
        raise RuntimeError("nginx did not reload")

    def _wait_drained(self, seconds=60):
        """The workers of the old configuration finished their requests (a stopped node's
        last answers are delivered before it goes)."""
        deadline = time.monotonic() + seconds
        while self._workers()[1] and time.monotonic() < deadline:
            time.sleep(0.1)

    # ---- Redis -----------------------------------------------------------------------------
    def _start_redis(self):
        self.state["redis_port"] = free_port()
        self._save()
        self.start_redis()

    def start_redis(self):
        folder = self.dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        pidfile = folder / "redis.pid"
        pidfile.unlink(missing_ok=True)
        subprocess.run([_binary("redis-server"), "--port", str(self.state["redis_port"]), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", str(folder),
                        "--pidfile", str(pidfile), "--logfile", str(folder / "redis.log")], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.redis_answers() and pidfile.exists():
                self.state["redis_pid"] = int(pidfile.read_text())
                self._save()
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop_redis(self):
        pid = self.state.get("redis_pid")
        if pid and _alive(pid):
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, 20):
                os.kill(pid, signal.SIGKILL)
        self.state["redis_pid"] = None
        if self.state:
            self._save()

    def redis_answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.state["redis_port"]), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    # ---- PostgreSQL ------------------------------------------------------------------------
    def _start_database(self, private, url):
        if private:
            self._init_private_postgres()
            return
        if url is None:
            self._ensure_machine_postgres()
            self._create_database(MACHINE_PG + "/postgres", "portal_cluster")
            url = MACHINE_PG + "/portal_cluster"
        self.state["database_url"] = url
        self._save()

    def _ensure_machine_postgres(self):
        """As .ci/run: start the machine's server when it is down."""
        ready = ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]
        if subprocess.run(ready).returncode == 0:
            return
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        for _ in range(30):
            if subprocess.run(ready).returncode == 0:
                return
            time.sleep(1)
        raise RuntimeError("PostgreSQL did not start")

    @staticmethod
    def _create_database(admin_url, name):
        import psycopg2
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()

    def _as_postgres(self, args, **kwargs):
        """Run a PostgreSQL tool as the postgres user when we are root (the server refuses root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(prefix + args, check=True, capture_output=True, text=True, **kwargs)

    def _init_private_postgres(self):
        """A server of the cluster's own (initdb in the scratch folder, a free port): restarting it
        in a test disturbs nobody else using the machine's PostgreSQL."""
        data = Path(self.state["scratch"]) / "pg"
        data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            ids = pwd.getpwnam("postgres")
            os.chown(data, ids.pw_uid, ids.pw_gid)
        port = free_port()
        self.state["pg_data"], self.state["pg_port"] = str(data), port
        self._save()
        self._as_postgres([_pg_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                           "--encoding=UTF8", "--no-sync"])
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{data}'\n"
                       "max_connections = 200\nfsync = off\nsynchronous_commit = off\n"
                       "full_page_writes = off\n")
        self.pg_ctl("start")
        self._create_database(f"postgresql://postgres@127.0.0.1:{port}/postgres", "portal")
        self.state["database_url"] = f"postgresql://postgres@127.0.0.1:{port}/portal"
        self._save()

    def pg_ctl(self, action):
        """start | stop | restart the cluster's own PostgreSQL (fast shutdown cuts connections)."""
        self._as_postgres([_pg_tool("pg_ctl"), "-D", self.state["pg_data"], "-w", "-t", "60", "-m", "fast",
                           "-l", str(Path(self.state["pg_data"]) / "server.log"), action], timeout=120)

    def _stop_private_postgres(self):
        data = self.state.get("pg_data")
        if data and (Path(data) / "postmaster.pid").exists():
            try:
                self.pg_ctl("stop")
            except subprocess.CalledProcessError:
                pass

    # ---- settings --------------------------------------------------------------------------
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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "rolling-restart"])
    parser.add_argument("--dir", default=str(ROOT / "instance" / "cluster"), help="state folder")
    parser.add_argument("--demo", action="store_true", help="seed the demo accounts (README)")
    parser.add_argument("--private-postgres", action="store_true",
                        help="a PostgreSQL of the cluster's own (initdb, free port) instead of the machine's")
    parser.add_argument("--database", help="a PostgreSQL URL to use instead (its database must exist)")
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir)
    if args.command == "start":
        cluster.start(demo=args.demo, private_postgres=args.private_postgres, database_url=args.database)
        print("\n".join(cluster.status()))
        print(f"portal: {cluster.url}  (self-signed: curl --cacert {cluster.cert}; stop: scripts/cluster stop)")
    elif args.command == "stop":
        cluster.stop()
        print("stopped")
    elif args.command == "status":
        print("\n".join(cluster.status()))
    else:
        cluster.rolling_restart()
        print("\n".join(cluster.status()))


if __name__ == "__main__":
    main()
