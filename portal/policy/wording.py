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


_TIME_TEXTS = {}  # (moment, zone, label) -> its words: pages word the same due times on every load


def time_text(at: datetime | None, zone: ZoneInfo, zone_label: str) -> str:
    """A moment in `zone`, e.g. 'Tue 18 Mar 2031 09:30 PT' ('' for None). Remembered per moment,
    zone and label (the words depend on nothing else; at most 20,000 are kept)."""
    if at is None:
        return ""
    key = (at, zone, zone_label)
    found = _TIME_TEXTS.get(key)  # a naive moment equals no aware one: it finds nothing, and is refused below
    if found is None:
        local = require_aware(at, "at").astimezone(zone)
        found = f"{_strftime(local, DAY_TIME)} {zone_label}"
        if len(_TIME_TEXTS) >= 20_000:
            _TIME_TEXTS.clear()
        _TIME_TEXTS[key] = found
    return found


def zone_abbreviation(local: datetime) -> str:
    """What a zone is called at a moment: 'CET', 'EDT', or 'UTC+04' where the zone has no letters."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def zoned_time_text(at: datetime | None, zone: ZoneInfo, home: ZoneInfo, home_label: str) -> str:
    """A moment for a person in `zone`, with the policy's (home) time beside it when it differs:
    'Tue 18 Mar 2031 18:30 CET (09:30 PT)', or 'Wed 19 Mar 2031 01:30 JST (Tue 09:30 PT)' across
    midnight; just 'Tue 18 Mar 2031 09:30 PT' for someone in the home zone ('' for None)."""
    if at is None:
        return ""
    mine, theirs = require_aware(at, "at").astimezone(zone), at.astimezone(home)
    if zone.key == home.key or (mine.replace(tzinfo=None) == theirs.replace(tzinfo=None)):
        return time_text(at, home, home_label)
    beside = theirs.strftime("%H:%M") if mine.date() == theirs.date() else theirs.strftime("%a %H:%M")
    return f"{_strftime(mine, DAY_TIME)} {zone_abbreviation(mine)} ({beside} {home_label})"


def span_clock_text(start: datetime, end: datetime, zone: ZoneInfo, home: ZoneInfo,
                    home_label: str) -> tuple[str, str]:
    """A span's clock times for a person in `zone` and, when different, in the home zone:
    ('10:00–10:30 CET', '01:00–01:30 PT'), or ('10:00–10:30 PT', '') in the home zone."""
    mine_s, mine_e = require_aware(start, "start").astimezone(zone), require_aware(end, "end").astimezone(zone)
    home_s, home_e = start.astimezone(home), end.astimezone(home)
    if zone.key == home.key:
        return f"{home_s:%H:%M}–{home_e:%H:%M} {home_label}", ""
    mine = f"{mine_s:%H:%M}–{mine_e:%H:%M} {zone_abbreviation(mine_s)}"
    day = "" if mine_s.date() == home_s.date() else f"{home_s:%a} "
    return mine, f"{day}{home_s:%H:%M}–{home_e:%H:%M} {home_label}"


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
