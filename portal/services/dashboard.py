"""Oversight numbers: first-response SLA met per level (30 days) and queue depth per level, counted in SQL."""
import datetime

from peewee import Case, fn

from portal.db import utcnow
from portal.models import Thread, Ticket
from portal.policy import LEVELS

WINDOW_DAYS = 30


def _sla_counts(model, opened, since, at, extra=()):
    """{level: (met, total)} for requests opened since `since` whose outcome is known at `at`."""
    met = fn.SUM(Case(None, [(model.first_response_met == True, 1)], 0))  # noqa: E712
    decided = model.first_response_at.is_null(False) | (model.due_at < at)
    query = (model.select(model.level, fn.COUNT(model.id).alias("total"), met.alias("met"))
             .where((opened >= since) & (opened <= at) & decided, *extra)
             .group_by(model.level)
             .tuples())
    return {level: (int(m or 0), int(total)) for level, total, m in query}


def sla_by_level(at=None, days=WINDOW_DAYS):
    """Per level: tickets and forum threads opened in the window, met vs total (policy 2.1)."""
    at = at or utcnow()
    since = at - datetime.timedelta(days=days)
    tickets = _sla_counts(Ticket, Ticket.opened_at, since, at)
    threads = _sla_counts(Thread, Thread.created_at, since, at, (Thread.hidden == False,))  # noqa: E712
    rows = []
    for level in LEVELS:
        t_met, t_total = tickets.get(level, (0, 0))
        f_met, f_total = threads.get(level, (0, 0))
        met, total = t_met + f_met, t_total + f_total
        rows.append({"level": level, "ticket_met": t_met, "ticket_total": t_total, "forum_met": f_met,
                     "forum_total": f_total, "met": met, "total": total,
                     "percent": round(100 * met / total) if total else None})
    return rows


def _depth(model, extra):
    query = (model.select(model.level, fn.COUNT(model.id))
             .where(model.awaiting_staff == True, model.due_at.is_null(False), *extra)  # noqa: E712
             .group_by(model.level)
             .tuples())
    return {level: int(count) for level, count in query}


def queue_depth(at=None):
    """Per level: requests awaiting staff now (the queue's own conditions), tickets and threads."""
    tickets = _depth(Ticket, (Ticket.status == "open",))
    threads = _depth(Thread, (Thread.hidden == False,))  # noqa: E712
    return [{"level": level, "tickets": tickets.get(level, 0), "forum": threads.get(level, 0),
             "total": tickets.get(level, 0) + threads.get(level, 0)} for level in LEVELS]


def bars(rows, key, width=480, bar_height=22, gap=8, label_width=90, maximum=None):
    """Geometry for a horizontal bar chart drawn by the template (no chart library)."""
    values = [r[key] or 0 for r in rows]
    top = maximum or max(values + [1])
    usable = width - label_width - 60
    out = []
    for i, (row, value) in enumerate(zip(rows, values)):
        y = i * (bar_height + gap)
        out.append({"row": row, "value": value, "y": y, "text_y": y + bar_height * 0.7,
                     "x": label_width, "w": round(usable * value / top, 1) if top else 0,
                     "h": bar_height, "empty": row[key] is None})
    return {"bars": out, "width": width, "height": len(rows) * (bar_height + gap), "label_width": label_width}
