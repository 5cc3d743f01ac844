"""How the portal words times, dates and business time left: one rule each, used by every page,
mail, calendar file and message (pages reach them through the pt_time, pt_date and time_left
filters). Support hours are worded by `clock.hours_text` (policy 1.5)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .durations import format_business_duration, require_aware

DAY_TIME = "%a {day} %b %Y %H:%M"  # 'Tue 18 Mar 2031 09:30'
DAY = "%a {day} %b %Y"  # 'Tue 18 Mar 2031'


def _strftime(value: date, fmt: str) -> str:
    # the day without a leading zero, without relying on glibc's %-d
    return value.strftime(fmt.replace("{day}", str(value.day)))


def time_text(at: datetime | None, zone: ZoneInfo, zone_label: str) -> str:
    """A moment in `zone`, e.g. 'Tue 18 Mar 2031 09:30 PT' ('' for None)."""
    if at is None:
        return ""
    local = require_aware(at, "at").astimezone(zone)
    return f"{_strftime(local, DAY_TIME)} {zone_label}"


def date_text(day: date | None) -> str:
    """A calendar date (an ETA, a license's expiry), e.g. 'Tue 18 Mar 2031' ('' for None)."""
    return "" if day is None else _strftime(day, DAY)


def time_left_text(left: timedelta, overdue: bool | None = None) -> str:
    """Business time left before a due time, e.g. '1 h 20 min of business time left', or once
    past it 'overdue by 2 h 5 min of business time' (policy 2.1: business time).

    `overdue` is whether the due time has passed (default: `left` is negative); past a due time
    at closing, no business time has run yet over the weekend, and it is overdue all the same."""
    if overdue is None:
        overdue = left < timedelta(0)
    if overdue:
        return f"overdue by {format_business_duration(abs(left))} of business time"
    return f"{format_business_duration(left)} of business time left"


def age_text(since: datetime, now: datetime) -> str:
    """How long ago a moment was, in wall-clock time (a request's age, not business time), e.g.
    '2 d 3 h', '3 h 5 min', '4 min' ('0 min' for the future or under a minute)."""
    minutes = max(require_aware(now, "now") - require_aware(since, "since"), timedelta(0)) // timedelta(minutes=1)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return format_business_duration(timedelta(hours=hours, minutes=minutes))
