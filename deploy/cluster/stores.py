"""The cluster's Redis (its own, on a free port) and PostgreSQL (the machine's server, or one of
its own made by initdb)."""
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

from deploy.cluster.processes import alive, binary, free_port, pg_tool, wait_gone

MACHINE_PG = "postgresql://postgres@127.0.0.1:5432"


class Stores:
    """Redis and PostgreSQL (a part of Cluster)."""

    def _start_redis(self):
        self.state["redis_port"] = free_port()
        self._save()
        self.start_redis()

    def start_redis(self):
        folder = self.dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        pidfile = folder / "redis.pid"
        pidfile.unlink(missing_ok=True)
        subprocess.run([binary("redis-server"), "--port", str(self.state["redis_port"]), "--bind", "127.0.0.1",
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
        if pid and alive(pid):
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, 20):
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
        self._as_postgres([pg_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
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
        self._as_postgres([pg_tool("pg_ctl"), "-D", self.state["pg_data"], "-w", "-t", "60", "-m", "fast",
                           "-l", str(Path(self.state["pg_data"]) / "server.log"), action], timeout=120)

    def _stop_private_postgres(self):
        data = self.state.get("pg_data")
        if data and (Path(data) / "postmaster.pid").exists():
            try:
                self.pg_ctl("stop")
            except subprocess.CalledProcessError:
                pass

    # ---- settings --------------------------------------------------------------------------
