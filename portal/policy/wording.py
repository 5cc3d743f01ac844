"""How the portal words times and dates: one rule each, used by every page, mail, calendar file
and message (pages reach them through the pt_time and pt_date filters)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from .durations import require_aware

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
