"""`python -m bench [--quick] [--database postgresql://...]`: the portal's benchmarks in one run.

Under uWSGI (4 processes, rate limits off) on a freshly seeded database (SQLite by default, or
a schema of its own on the PostgreSQL server given, dropped at the end):
- the staff queue, the ticket page and the customer's ticket list against the bare /ping route
  of the same app (p50 and p95 latency ratios; target: within 8x at p95);
- ticket submissions per second by concurrent clients, with lost and duplicated tickets
  counted in the database afterwards (target on SQLite: 300/s, 0 lost, 0 duplicated);
- the business clock for 2-hour and 10-year targets (bench.clock; target: ratio under 2).
Prints a table and, last, one `summary:` line. Exits 1 only when a ticket was lost or duplicated.
"""
import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import clock, web
from bench.harness import Uwsgi, make_app, portal_env
from bench.seed import PASSWORD, seed

SIZES = {  # open requests, owner's tickets, customers, submitting clients, tickets per client, samples
    "full": dict(open_tickets=100_000, owner_tickets=600, customers=2000, submitters=16, per_client=150, samples=400),
    "quick": dict(open_tickets=20_000, owner_tickets=300, customers=500, submitters=8, per_client=50, samples=200),
}
PAGE_TARGET, SUBMIT_TARGET, CLOCK_TARGET = 8.0, 300, 2.0
NEXT_RE = re.compile(r'href="([^"]*after=[^"]*)" rel="next"')


def _schema_url(base, schema):
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _postgres(base, schema, create):
    import psycopg2
    conn = psycopg2.connect(base)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    conn.close()


def _prepare(app, size):
    """Migrate and seed the empty database; returns Seeded."""
    from portal import db as database
    from portal.cli import migrate_up
    with app.app_context():
        migrate_up()
        with database.db.connection_context():
            seeded = seed(size["open_tickets"], size["owner_tickets"], size["customers"], size["submitters"])
    _close_all()
    return seeded


def _close_all():
    from portal import db as database
    if not database.db.is_closed():
        database.db.close()
    if hasattr(database.db.obj, "close_all"):
        database.db.obj.close_all()


def _pages(server, seeded, samples):
    staff = web.Client.logged_in(server.url, seeded.staff_email, PASSWORD)
    owner = web.Client.logged_in(server.url, seeded.owner_email, PASSWORD)
    status, body = staff.get("/staff/queue")
    link = NEXT_RE.search(body.decode())
    second = html.unescape(link.group(1)) if link else "/staff/queue"
    return [
        web.compare("staff queue, top", staff, "/staff/queue", samples),
        web.compare("staff queue, next page", staff, second, samples),
        web.compare("staff queue, FREE breached", staff, "/staff/queue?level=FREE&breached=1", samples),
        web.compare(f"ticket page #{seeded.ticket_id}", owner, f"/tickets/{seeded.ticket_id}", samples),
        web.compare("customer's ticket list", owner, "/tickets/", samples),
    ]


def _verify(app, result):
    from portal import db as database
    with app.app_context(), database.db.connection_context():
        web.verify(result)
    _close_all()
    return result


def machine():
    """'2026-11-25, 2 CPUs (AMD EPYC), 23.5 GiB': the date and the machine, for the figures."""
    import datetime
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", load average %.1f" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return f"{datetime.date.today().isoformat()}, {os.cpu_count()} CPUs ({cpu}), {memory:.1f} GiB{load}"


def _mark(ok):
    return "ok" if ok else "MISSED"


def _table(host, database_name, seeded, seconds, latencies, subs, clk):
    ms = lambda s: f"{s * 1000:7.1f}"  # noqa: E731
    lines = [f"machine: {host} at the start",
             f"database: {database_name}; {seeded.open_tickets:,} open tickets + {seeded.threads:,} forum threads "
             f"awaiting staff, seeded in {seconds:.1f} s", "",
             f"{'page (vs /ping)':34} {'p50 ms':>7} {'p95 ms':>7} {'bare50':>7} {'bare95':>7} {'x p50':>6} {'x p95':>6}  target"]
    for lat in latencies:
        lines.append(f"{lat.name:34} {ms(lat.p50)} {ms(lat.p95)} {ms(lat.bare_p50)} {ms(lat.bare_p95)} "
                     f"{lat.ratio_p50:6.2f} {lat.ratio_p95:6.2f}  <= {PAGE_TARGET:g}x {_mark(lat.ratio_p95 <= PAGE_TARGET)}")
    ok = subs.per_second >= SUBMIT_TARGET and not subs.lost and not subs.dup
    lines += ["", f"submissions: {subs.sent} tickets ({subs.posts} POSTs incl. double submits) in {subs.seconds:.2f} s "
              f"= {subs.per_second:.0f}/s; lost {subs.lost}, duplicated {subs.dup}, error answers {len(subs.errors)}"
              f"  target >= {SUBMIT_TARGET}/s, 0 lost, 0 dup {_mark(ok)}"]
    server_ms, client_ms = subs.cpu_per_ticket()
    if server_ms:
        lines.append(f"  CPU per ticket: uWSGI {server_ms:.1f} ms, clients {client_ms:.1f} ms: with {os.cpu_count()} CPUs "
                     f"to themselves they would file about {1000 * (os.cpu_count() or 1) / (server_ms + client_ms):.0f}/s")
    lines += [f"  e.g. {e}" for e in subs.errors[:5]]
    lines += [f"business clock: {clk['rate_2h']:,}/s for 2 h, {clk['rate_10y']:,}/s for 10 years, "
              f"ratio {clk['clock_ratio']:.2f}  target < {CLOCK_TARGET:g} {_mark(clk['clock_ratio'] < CLOCK_TARGET)}"]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data and fewer samples (under a minute)")
    parser.add_argument("--database", help="a PostgreSQL server URL; a schema of its own is made and dropped")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, SQLite file)")
    args = parser.parse_args(argv)
    size, host = SIZES["quick" if args.quick else "full"], machine()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    schema = f"bench_{uuid.uuid4().hex[:10]}" if args.database else None
    if schema:
        _postgres(args.database, schema, create=True)
        url = _schema_url(args.database, schema)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        env = portal_env(url, workdir)
        app = make_app(env)
        began = time.perf_counter()
        seeded = _prepare(app, size)
        seeded_in = time.perf_counter() - began
        with Uwsgi(env, workdir, processes=4) as server:
            latencies = _pages(server, seeded, size["samples"])
            subs = web.submit(server.url, seeded.submitters, PASSWORD, size["per_client"], server_pid=server.proc.pid)
        _verify(app, subs)
        clk = clock.run(quick=args.quick)
    finally:
        _close_all()
        if schema:
            _postgres(args.database, schema, create=False)
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(_table(host, "PostgreSQL" if schema else "SQLite", seeded, seeded_in, latencies, subs, clk))
    queue, ticket = latencies[0], latencies[3]
    print(f"summary: queue_vs_bare={queue.ratio_p95:.2f} ticket_vs_bare={ticket.ratio_p95:.2f} "
          f"submit_per_s={subs.per_second:.0f} lost={subs.lost} dup={subs.dup} clock_ratio={clk['clock_ratio']:.2f}")
    return 1 if subs.lost or subs.dup else 0


if __name__ == "__main__":
    sys.exit(main())
