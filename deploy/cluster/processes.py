"""Processes and tools the cluster needs: free ports, apt-get, pids, process groups, probes."""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

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


def binary(name):
    return shutil.which(name) or str(Path("/usr/sbin", name))


def uwsgi():
    return shutil.which("uwsgi") or str(Path(sys.executable).parent / "uwsgi")


def pg_tool(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(PG_BIN.glob("*/bin/" + name))
    if not versions:
        raise RuntimeError(f"{name} not found: install postgresql")
    return str(versions[-1])


def alive(pid):
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


def wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    return not alive(pid)


def kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def get_status(url, timeout=2):
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status
    except Exception as exc:  # noqa: BLE001 - any failure: not ready
        return getattr(exc, "code", None)
