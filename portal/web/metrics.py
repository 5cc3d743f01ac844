"""Prometheus metrics. Per request (portal/web/logs.py calls `observe`): a counter and a latency
histogram labelled by endpoint name (never the path: a bounded set), method and status class.
At scrape time only: requests and breaches per level, the outbox, today's sessions, from a few
aggregate queries (portal/services/health.py).

Under uWSGI each worker writes its samples to files in $PROMETHEUS_MULTIPROC_DIR (wsgi.ini sets
it per instance and empties it when the master starts); a scrape, answered by any worker, sums
every worker's files (prometheus_client's multiprocess mode). Without it (flask run, tests) the
samples live in this process. docs/operations.md, *Logs and metrics*.
"""
import atexit
import logging
import os
from pathlib import Path

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, disable_created_metrics,
                               generate_latest)
from prometheus_client.core import GaugeMetricFamily

METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
LABELS = ("endpoint", "method", "status")
# seconds; the portal's pages answer in milliseconds, a slow one in a second or two, harakiri at 30
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

disable_created_metrics()  # no *_created series: nothing here needs them, and they double the output
_own = CollectorRegistry(auto_describe=False)  # ours, not prometheus_client's global one
REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by endpoint, method and status class",
                   LABELS, registry=_own)
LATENCY = Histogram("portal_http_request_duration_seconds",
                    "Time to answer an HTTP request (until the response is ready), by endpoint, method and status class",
                    LABELS, buckets=BUCKETS, registry=_own)
_failed = []  # the first failure of observe(), so it is logged once
_children = {}  # (endpoint, method, status class) -> (counter, histogram): labels() once per key
CONTENT_TYPE = CONTENT_TYPE_LATEST


def observe(endpoint, method, status, seconds):
    """Count one answered request; a few microseconds (the label lookup is cached). A failure
    (the multiprocess folder removed under a running server) is logged once and never fails
    the request."""
    if method not in METHODS:  # any string may come as a method: keep the label set bounded
        method = "other"
    key = (endpoint, method, status // 100)
    try:
        pair = _children.get(key)
        if pair is None:
            labels = (endpoint or "none", method, f"{status // 100}xx")
            pair = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
        pair[0].inc()
        pair[1].observe(seconds)
    except Exception as exc:  # noqa: BLE001
        if not _failed:
            _failed.append(exc)
            logging.getLogger("portal.metrics").error("request metrics failed: %s", exc.__class__.__name__)


def forget_on_exit():
    """Multiprocess mode: a process that exits marks its live gauges dead (its counters stay
    summed). The pid is read at exit, so a worker forked from the master marks its own."""
    from prometheus_client import multiprocess
    atexit.register(lambda: multiprocess.mark_process_dead(os.getpid()))


def forget_samples_of(pid):
    """Remove a process's sample files: the master's, after its rehearsal requests before the
    fork (portal/web/prefork.py), so a scrape counts only requests the workers answered."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    for path in Path(folder).glob(f"*_{pid}.db") if folder else ():
        path.unlink(missing_ok=True)


class StateCollector:
    """The gauges read from the database at scrape time (never per request)."""

    def collect(self):
        from portal.services import health
        up = GaugeMetricFamily("portal_state_up", "1 when the scrape could read the state gauges from the database")
        try:
            levels, outbox, sessions = health.requests_by_level(), health.outbox_state(), health.sessions_today()
        except Exception:  # noqa: BLE001 - the request metrics are still worth serving
            from portal import db as database
            database.close_connection()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        waiting = GaugeMetricFamily("portal_open_requests", "Requests awaiting staff (the queue), by channel and support level",
                                    labels=("channel", "level"))
        late = GaugeMetricFamily("portal_breached_requests",
                                 "Requests awaiting staff whose first response is overdue (policy 2.1)",
                                 labels=("channel", "level"))
        for row in levels:
            waiting.add_metric([row.channel, row.level], row.open)
            late.add_metric([row.channel, row.level], row.breached)
        yield waiting
        yield late
        mails = GaugeMetricFamily("portal_outbox_mails", "Outbox mails queued, being sent, or failed for good",
                                  labels=("status",))
        for status in ("queued", "sending", "failed"):
            mails.add_metric([status], getattr(outbox, status))
        yield mails
        yield GaugeMetricFamily("portal_outbox_oldest_queued_age_seconds",
                                "How long the longest-waiting due queued mail has waited (0 when none)",
                                value=outbox.oldest_due_seconds)
        today = GaugeMetricFamily("portal_remote_sessions_today",
                                  "Remote sessions starting today (the policy's calendar day), by status",
                                  labels=("status",))
        for status, count in sessions.items():
            today.add_metric([status], count)
        yield today


def scrape():
    """The exposition text: every worker's request samples (or this process's) and the state gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_own)
    registry.register(StateCollector())
    return generate_latest(registry)
