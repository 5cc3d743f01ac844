"""What the readiness probe and the metrics scrape ask: the database and Redis answer, and a few
aggregate queries (per level, the outbox, today's sessions), never a query per row. Reads only."""
import datetime
from dataclasses import dataclass

from peewee import Case, fn

from portal.db import UTC, db, utcnow
from portal.models import MailNotice, OutboxMail, RemoteSession, Thread, Ticket
from portal.policy import LEVELS
from portal.services import get_policy, runtime

SESSION_STATES = ("scheduled", "running", "ended")  # a cancelled or unscheduled session is on no day
REDIS_TIMEOUT = 0.5  # seconds: a dead Redis must not hang the load balancer's probe
_redis_clients = {}


@dataclass(frozen=True)
class LevelCounts:
    """Requests awaiting staff (the queue's conditions) of one level and channel; `breached` is
    those whose first response is overdue (policy 2.1: only the first response can breach)."""
    channel: str  # ticket | forum
    level: str
    open: int
    breached: int


@dataclass(frozen=True)
class OutboxState:
    queued: int
    sending: int
    failed: int
    oldest_due_seconds: float  # how long the longest-waiting due queued mail has waited; 0 when none


def ping_database():
    """SELECT 1 on this request's connection; raises what the driver raises."""
    db.connect(reuse_if_open=True)
    db.execute_sql("SELECT 1").fetchone()


def ping_redis(url):
    """PING with short timeouts; raises redis.RedisError when Redis does not answer."""
    client = _redis_clients.get(url)
    if client is None:
        import redis
        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    client.ping()


def _awaiting(model, now):
    breached = Case(None, [((model.due_at < now) & model.first_response_at.is_null(), 1)], 0)
    still = (Ticket.status == "open") if model is Ticket else (Thread.hidden == False)  # noqa: E712
    query = (model.select(model.level, fn.COUNT(model.id), fn.SUM(breached))
             .where(model.awaiting_staff == True, model.due_at.is_null(False), still)  # noqa: E712
             .group_by(model.level)
             .tuples())
    return {level: (int(count), int(late or 0)) for level, count, late in query}


def requests_by_level(now=None):
    """[LevelCounts] for every level and both channels: one aggregate query per channel."""
    now = now or utcnow()
    rows = []
    for channel, model in (("ticket", Ticket), ("forum", Thread)):
        counts = _awaiting(model, now)
        rows += [LevelCounts(channel, level, *counts.get(level, (0, 0))) for level in LEVELS]
    return rows


def outbox_state(now=None):
    """Queued, sending and failed mail, and the wait of the oldest due queued mail: two queries.
    A mail waiting out its retry backoff is not late; one that is due and not taken is. A notice
    the sender has not yet written as mail (mail_notices) is a queued mail due since it was
    recorded; one it gave up on is a failed one."""
    now = now or utcnow()
    query = (OutboxMail.select(OutboxMail.status, fn.COUNT(OutboxMail.id), fn.MIN(OutboxMail.next_attempt_at))
             .where(OutboxMail.status.in_(("queued", "sending", "failed")))
             .group_by(OutboxMail.status)
             .tuples())
    counts, due = {}, []
    for status, count, first in query:
        counts[status] = int(count)
        if status == "queued" and first is not None:
            due.append(_aware(first))
    given_up = MailNotice.attempts >= runtime.current().settings["MAIL_SEND_MAX_ATTEMPTS"]
    total, failed, first = (MailNotice.select(fn.COUNT(MailNotice.id), fn.SUM(Case(None, [(given_up, 1)], 0)),
                                              fn.MIN(Case(None, [(given_up, None)], MailNotice.created_at)))
                            .tuples().get())
    counts["queued"] = counts.get("queued", 0) + int(total or 0) - int(failed or 0)
    counts["failed"] = counts.get("failed", 0) + int(failed or 0)
    if first is not None:
        due.append(_aware(first))
    wait = max(0.0, (now - min(due)).total_seconds()) if due else 0.0
    return OutboxState(counts.get("queued", 0), counts.get("sending", 0), counts.get("failed", 0), wait)


def _aware(value):
    """MIN() of the time column, as the field would read it (aware UTC)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sessions_today(now=None):
    """{state: count} of remote sessions starting today, the policy's calendar day (policy 1.5): one query."""
    policy = get_policy()
    now = now or utcnow()
    day = policy.local_date(now)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=policy.zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=policy.zone)
    query = (RemoteSession.select(RemoteSession.status, fn.COUNT(RemoteSession.id))
             .where(RemoteSession.status.in_(SESSION_STATES), RemoteSession.starts_at >= start.astimezone(UTC),
                    RemoteSession.starts_at < end.astimezone(UTC))
             .group_by(RemoteSession.status)
             .tuples())
    found = {status: int(count) for status, count in query}
    return {state: found.get(state, 0) for state in SESSION_STATES}
