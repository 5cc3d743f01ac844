"""Helpers for business durations: exact integer arithmetic and human wording."""
from __future__ import annotations

from datetime import datetime, timedelta

MICRO = timedelta(microseconds=1)


def to_micros(delta: timedelta) -> int:
    """Return a timedelta as a whole number of microseconds (exact)."""
    return delta // MICRO


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Raise ValueError unless value is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value


_MINUTE = timedelta(minutes=1)
_WORDED = {}  # (negative, whole minutes) -> words: a queue page words fifty durations per load


def format_business_duration(delta: timedelta) -> str:
    """Word a duration as '1 h 20 min' (minutes rounded down, '0 min' when under one)."""
    key = (delta < timedelta(0), abs(delta) // _MINUTE)
    found = _WORDED.get(key)
    if found is None:
        if len(_WORDED) >= 20_000:
            _WORDED.clear()
        found = _WORDED[key] = _word(*key)
    return found


def _word(negative: bool, minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    sign = "-" if negative and (hours or minutes) else ""
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{minutes} min"


def format_hours(delta: timedelta, unit: str = "business hour") -> str:
    """Word a duration in hours without a needless '.0': '4 business hours', '1.5 business hours',
    '1 business hour' (at most two decimals)."""
    hours = round(delta / timedelta(hours=1), 2)
    number = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{number} {unit}" + ("" if number == "1" else "s")
