"""The staff sessions calendar: a week (Monday to Sunday) of every agent's remote sessions, and
today's, in the viewer's own time zone with Pacific time beside it (policy 8.1, 1.5). Reads only."""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN

from portal.db import UTC, utcnow
from portal.models import RemoteSession, Ticket, User
from portal.policy import date_text
from portal.services import get_policy

SHOWN = ("scheduled", "running", "ended")  # cancelled sessions leave the calendar
WEEK = datetime.timedelta(days=7)


@dataclass
class Entry:
    """One session as a calendar line: clock times for the viewer and in Pacific time."""
    session: RemoteSession
    time: str      # '10:00–10:30 CET'
    pacific: str   # '01:00–01:30 PT', or '' when the viewer is on Pacific time


@dataclass
class Day:
    date: datetime.date
    label: str
    is_today: bool
    entries: list = field(default_factory=list)


def week_start(day):
    """The Monday of the week `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


def today_for(zone_name, now=None):
    """The viewer's calendar date now, in their zone."""
    return (now or utcnow()).astimezone(get_policy().zone_named(zone_name)).date()


def _window(first, days, zone):
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.datetime.combine(first + datetime.timedelta(days=days), datetime.time(), tzinfo=zone)
    return start, end.astimezone(UTC)


def _sessions(start, end, agent_id=None):
    """Sessions starting in start..end with ticket and agent: one query."""
    query = (RemoteSession.select(RemoteSession, Ticket, User)
             .join(Ticket, on=(RemoteSession.ticket == Ticket.id), attr="ticket")
             .switch(RemoteSession)
             .join(User, JOIN.LEFT_OUTER, on=(RemoteSession.agent == User.id), attr="agent")
             .where(RemoteSession.status.in_(SHOWN) & (RemoteSession.starts_at >= start)
                    & (RemoteSession.starts_at < end))
             .order_by(RemoteSession.starts_at, RemoteSession.id))
    if agent_id:
        query = query.where(RemoteSession.agent == agent_id)
    return list(query)


def days(first, count, zone_name, agent_id=None, now=None):
    """`count` days from `first` in the viewer's zone, each with its sessions (of one agent, or all)."""
    policy = get_policy()
    zone, today = policy.zone_named(zone_name), today_for(zone_name, now)
    found = [Day(first + datetime.timedelta(days=i), date_text(first + datetime.timedelta(days=i)),
                 first + datetime.timedelta(days=i) == today) for i in range(count)]
    for session in _sessions(*_window(first, count, zone), agent_id):
        local = session.starts_at.astimezone(zone).date()
        time, pacific = policy.span_text_for(session.starts_at, session.ends_at, zone_name)
        found[(local - first).days].entries.append(Entry(session, time, pacific))
    return found


def week(any_day, zone_name, agent_id=None, now=None):
    """The week (Monday to Sunday) holding `any_day`, in the viewer's zone."""
    return days(week_start(any_day), 7, zone_name, agent_id, now)


def today(zone_name, now=None):
    """Today's sessions of every agent, in the viewer's zone (the queue page shows them)."""
    return days(today_for(zone_name, now), 1, zone_name, None, now)[0]
