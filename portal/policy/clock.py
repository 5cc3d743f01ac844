"""The business clock: support hours in the policy's zone, Mon-Fri, minus holidays (policy 1.5, 2.1).

Business time is counted in local wall-clock time per day, and each boundary is turned into
an instant with zoneinfo, so DST changes (which in America/Los_Angeles happen at 02:00,
outside support hours) never stretch or shrink a business day.

Every computation is arithmetic on a "business position": business days before a date
(whole weeks by division, holidays by bisect) times the day length, plus the time into that
day. So the cost does not grow with the length of a target, only (logarithmically) with the
number of holidays.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from .durations import require_aware, to_micros

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# what people call the common zones; any other is named after its city ("Berlin time")
ZONE_WORDS = {"America/Los_Angeles": "Pacific time", "America/Denver": "Mountain time",
              "America/Phoenix": "Mountain time", "America/Chicago": "Central time",
              "America/New_York": "Eastern time", "UTC": "UTC", "Etc/UTC": "UTC"}
_DAY = 86_400_000_000  # microseconds


def _micros_of(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


class BusinessClock:
    """Support hours (open-close on workdays, holidays skipped) in one IANA time zone."""

    def __init__(self, zone: ZoneInfo | str, opens: time, closes: time,
                 workdays: Iterable[int] = range(5), holidays: Iterable[date] = ()):
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.opens, self.closes = opens, closes
        self._open = _micros_of(opens)
        self._day_len = _micros_of(closes) - self._open
        if self._day_len <= 0:
            raise ValueError("closing time must be after opening time")
        self.workdays = tuple(sorted(set(workdays)))
        if not self.workdays or not all(0 <= d <= 6 for d in self.workdays):
            raise ValueError("workdays must be weekday numbers 0 (Mon) to 6 (Sun)")
        # prefix[k]: workdays among weekdays 0..k-1 (ordinal 1, 0001-01-01, is a Monday)
        self._prefix = [sum(1 for d in self.workdays if d < k) for k in range(8)]
        # Only holidays on workdays matter; weekends are closed anyway.
        self.holidays = tuple(sorted({h for h in holidays if h.weekday() in self.workdays}))
        self._positions = {}  # instant -> position: a queue page asks for the same due times again

    @property
    def day_length(self) -> timedelta:
        """Business time in one full business day (9 h by default)."""
        return timedelta(microseconds=self._day_len)

    # -- calendar arithmetic -------------------------------------------------------------
    def is_business_day(self, day: date) -> bool:
        """True when day is a workday and not a holiday."""
        if day.weekday() not in self.workdays:
            return False
        i = bisect_left(self.holidays, day)
        return not (i < len(self.holidays) and self.holidays[i] == day)

    def _business_days_before(self, day: date) -> int:
        weeks, rem = divmod(day.toordinal() - 1, 7)
        return weeks * len(self.workdays) + self._prefix[rem] - bisect_left(self.holidays, day)

    def _workday(self, index: int) -> date:
        weeks, rem = divmod(index, len(self.workdays))
        return date.fromordinal(weeks * 7 + self.workdays[rem] + 1)

    def _business_day(self, index: int) -> date:
        # Guess ignoring holidays, then push past the holidays covered; converges fast
        # (each round adds only the holidays in the newly covered stretch).
        guess = index
        while True:
            day = self._workday(guess)
            shifted = index + bisect_right(self.holidays, day)
            if shifted == guess:
                return day
            guess = shifted

    # -- positions -----------------------------------------------------------------------
    def _local(self, at: datetime, name: str) -> datetime:
        return require_aware(at, name).astimezone(self.zone)

    def _wall(self, local: datetime) -> int:
        return _micros_of(local.time()) - self._open

    def _position(self, at: datetime, name: str = "at") -> int:
        local = self._local(at, name)
        day = local.date()
        base = self._business_days_before(day) * self._day_len
        if not self.is_business_day(day):
            return base
        return base + min(max(self._wall(local), 0), self._day_len)

    def _instant(self, day: date, micros_after_open: int) -> datetime:
        wall = datetime.combine(day, time()) + timedelta(microseconds=self._open + micros_after_open)
        # Round-trip through UTC so a wall time in a DST gap lands on a real instant.
        return wall.replace(tzinfo=self.zone).astimezone(timezone.utc).astimezone(self.zone)

    # -- public API ----------------------------------------------------------------------
    def is_open(self, at: datetime) -> bool:
        """True when support is open at this instant (opening inclusive, closing exclusive)."""
        local = self._local(at, "at")
        return self.is_business_day(local.date()) and 0 <= self._wall(local) < self._day_len

    def closes_at(self, at: datetime) -> datetime:
        """The closing instant of the local day `at` falls on (whether or not that day is a business day)."""
        return self._instant(self._local(at, "at").date(), self._day_len)

    def holds(self, start: datetime, end: datetime) -> bool:
        """True when the whole span start..end lies inside one stretch of support hours: open at
        the start and ending by that day's closing (a remote session, policy 1.5, 8.1)."""
        return self.is_open(start) and require_aware(end, "end") > start and end <= self.closes_at(start)

    def next_opening(self, at: datetime) -> datetime:
        """The earliest instant >= at when the clock runs: at itself when open, else the next opening."""
        local = self._local(at, "at")
        day = local.date()
        if self.is_business_day(day):
            wall = self._wall(local)
            if 0 <= wall < self._day_len:
                return local
            if wall < 0:
                return self._instant(day, 0)
        return self._instant(self._business_day(self._business_days_before(day + timedelta(1))), 0)

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The earliest instant at which delta of business time has run since start (start outside hours waits for the next opening)."""
        if not isinstance(delta, timedelta):
            raise ValueError("delta must be a timedelta")
        if delta < timedelta(0):
            raise ValueError("delta must not be negative")
        if not delta:
            return self._local(start, "start")
        target = self._position(start, "start") + to_micros(delta)
        index, into_day = divmod(target, self._day_len)
        if into_day == 0:  # used up exactly at closing: due at closing, not next opening
            index, into_day = index - 1, self._day_len
        return self._instant(self._business_day(index), into_day)

    def position(self, at: datetime, remember: bool = True) -> int:
        """Business time from the clock's origin to `at`, in microseconds: the difference of two
        positions is the business time between them (a page of clocks shares `now`'s position).
        Remembered per instant (the clock never changes; a queue page shows the same due and
        opening times on every load; `remember=False` for a moment never asked again, such as
        now); at most 20,000 are kept."""
        found = self._positions.get(at)
        if found is None:
            found = self._position(at)
            if not remember:
                return found
            if len(self._positions) >= 20_000:
                self._positions.clear()
            self._positions[at] = found
        return found

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from a to b; negative (the reverse span, negated) when a is after b."""
        return timedelta(microseconds=self._position(b, "b") - self._position(a, "a"))

    def describe(self) -> str:
        """Word the hours, e.g. '08:00-17:00 Mon-Fri, America/Los_Angeles'."""
        days = [WEEKDAY_NAMES[d] for d in self.workdays]
        contiguous = self.workdays == tuple(range(self.workdays[0], self.workdays[-1] + 1))
        span = f"{days[0]}-{days[-1]}" if contiguous and len(days) > 2 else ", ".join(days)
        return f"{self.opens:%H:%M}-{self.closes:%H:%M} {span}, {self.zone.key}"


def _zone_words(key: str, label: str) -> str:
    words = ZONE_WORDS.get(key) or key.rsplit("/", 1)[-1].replace("_", " ") + " time"
    return words if label == words else f"{words} ({label})"


def _day_words(workdays: tuple) -> str:
    names = [DAY_WORDS[d] for d in workdays]
    if len(names) == 7:
        return "every day"
    if len(names) > 2 and workdays == tuple(range(workdays[0], workdays[-1] + 1)):
        return f"{names[0]} to {names[-1]}"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def hours_text(clock: BusinessClock, zone_label: str) -> str:
    """Support hours in words, e.g. '08:00–17:00 Pacific time (PT), Monday to Friday' (policy 1.5)."""
    text = f"{clock.opens:%H:%M}–{clock.closes:%H:%M} {_zone_words(clock.zone.key, zone_label)}, {_day_words(clock.workdays)}"
    return text + ", except holidays" if clock.holidays else text  # policy 1.5 Decision: only when some are set
