"""CPU and memory of the uWSGI workers, from /proc: what a request costs the server, whatever the load.

Latency on a shared machine mostly measures the other tenants; the CPU time the workers spend
does not depend on them much. Blocks of page requests alternate with blocks of /ping requests
from the same client, and each kind's CPU is summed over its blocks.

The CPU time read is the scheduler's own account of each worker's threads
(/proc/<pid>/task/<tid>/schedstat, nanoseconds on the CPU: user + system), where the kernel
gives it; else utime + stime of /proc/<pid>/stat. The latter is counted in clock ticks of 10 ms,
and a /ping costs about 0.5 ms: a block of 20 reads as 0 or 1 tick, so a 200-request /ping phase
came out anywhere between 5 and 15 ticks on this machine (the page ratios moved 2x from quarter
to quarter). The nanosecond figure is the same quantity without the rounding.
"""
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import percentile

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


def _children(pid):
    try:
        return [int(p) for task in Path(f"/proc/{pid}/task").iterdir()
                for p in (task / "children").read_text().split()]
    except OSError:
        return []


def worker_pids(master_pid):
    """The uWSGI workers: the master's children that run uWSGI itself, not an attached daemon
    (the mail sender or the inbound server run `python3 -m flask ...`)."""
    pids = []
    for pid in _children(master_pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and b"uwsgi" in Path(argv[0].decode(errors="replace")).name.encode():
            pids.append(pid)
    return sorted(pids)


def _schedstat_seconds(pid):
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def _stat_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime of all its threads


def _has_schedstat():
    try:
        return float(Path("/proc/self/schedstat").read_text().split()[0]) > 0
    except (OSError, ValueError, IndexError):
        return False


SOURCE = "schedstat" if _has_schedstat() else "stat"
SOURCE_TEXT = {"schedstat": "/proc/<pid>/task/*/schedstat, ns", "stat": "utime+stime of /proc/<pid>/stat, 10 ms ticks"}


def cpu_seconds(pids):
    """CPU seconds (user + system) of the processes so far (a worker that went away counts 0)."""
    read = _schedstat_seconds if SOURCE == "schedstat" else _stat_seconds
    total = 0.0
    for pid in pids:
        try:
            total += read(pid)
        except (OSError, ValueError, IndexError):
            continue
    return total


def pss_mib(pid):
    """Proportional set size of one process in MiB (/proc/<pid>/smaps_rollup), None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class Memory:
    """PSS after the run: each worker's and the master's, in MiB."""
    workers: list
    master: float

    @property
    def largest(self):
        return max(self.workers) if self.workers else 0.0

    @property
    def mean(self):
        return statistics.fmean(self.workers) if self.workers else 0.0


def memory(master_pid):
    pids = worker_pids(master_pid)
    return Memory([m for m in (pss_mib(p) for p in pids) if m is not None], pss_mib(master_pid) or 0.0)


@dataclass
class PageCost:
    """One page against /ping, measured in alternating blocks: latencies (s) and CPU (s) per kind."""
    name: str
    page_times: list
    bare_times: list
    page_cpu: list = field(default_factory=list)   # CPU seconds of each page block
    bare_cpu: list = field(default_factory=list)   # CPU seconds of each /ping block
    block: int = 20

    def p(self, fraction, bare=False):
        return percentile(self.bare_times if bare else self.page_times, fraction)

    @property
    def cpu_ms(self):
        """Worker CPU milliseconds per page request."""
        return 1000 * sum(self.page_cpu) / len(self.page_times)

    @property
    def bare_cpu_ms(self):
        return 1000 * sum(self.bare_cpu) / len(self.bare_times)

    @property
    def cpu_ratio(self):
        return sum(self.page_cpu) / max(sum(self.bare_cpu), 1e-6)

    def cpu_ratio_spread(self, parts=4):
        """(min, max) of the ratio over `parts` consecutive quarters of the blocks: how stable it is."""
        n = len(self.page_cpu) // parts
        if n == 0:
            return self.cpu_ratio, self.cpu_ratio
        ratios = [sum(self.page_cpu[i * n:(i + 1) * n]) / max(sum(self.bare_cpu[i * n:(i + 1) * n]), 1e-6)
                  for i in range(parts)]
        return min(ratios), max(ratios)


def _timed(client, path, times):
    began = time.perf_counter()
    status, _, _ = client.request("GET", path, keep_cookies=False)  # the session stays valid as it is
    times.append(time.perf_counter() - began)
    if status != 200:
        raise AssertionError(f"GET {path} answered {status}")


def page_cost(name, client, path, master_pid, blocks, block=20, bare_path="/ping", warmup=24):
    """`blocks` blocks of `block` GETs of `path`, each followed by a block of GETs of /ping."""
    pids = worker_pids(master_pid)
    scratch = []
    for _ in range(warmup):  # every worker compiles templates, loads the policy, opens the database
        _timed(client, path, scratch)
        _timed(client, bare_path, scratch)
    cost = PageCost(name, [], [], block=block)
    mark = cpu_seconds(pids)
    for _ in range(blocks):
        for _ in range(block):
            _timed(client, path, cost.page_times)
        now = cpu_seconds(pids)
        cost.page_cpu.append(now - mark)
        for _ in range(block):
            _timed(client, bare_path, cost.bare_times)
        mark, before = cpu_seconds(pids), now
        cost.bare_cpu.append(mark - before)
    return cost


@dataclass
class BarePosts:
    """Concurrent POST /ping with a CSRF token: the floor a form post is compared with."""
    posts: int = 0
    errors: int = 0
    server_cpu: float = 0.0

    @property
    def cpu_ms(self):
        return 1000 * self.server_cpu / max(1, self.posts)


def bare_posts(clients, per_client, master_pid):
    """Each (client, csrf token) POSTs /ping `per_client` times, all clients at once, as the
    submission run does; CPU of the workers over the run."""
    result, lock, start = BarePosts(), threading.Lock(), threading.Event()

    def loop(client, token):
        start.wait()
        body = urlencode({"csrf_token": token})
        for _ in range(per_client):
            try:
                status, _, _ = client.request("POST", "/ping", body, FORM_TYPE, keep_cookies=False)
            except OSError:
                status = 0
            with lock:
                result.posts += 1
                result.errors += status != 200

    threads = [threading.Thread(target=loop, args=pair, daemon=True) for pair in clients]
    for thread in threads:
        thread.start()
    pids = worker_pids(master_pid)
    before = cpu_seconds(pids)
    start.set()
    for thread in threads:
        thread.join()
    result.server_cpu = cpu_seconds(pids) - before
    return result
