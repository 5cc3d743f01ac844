"""Queue order and SLA state (policy 4.6, 2.1, 3.4).

The queue sorts by ``ORDER BY rank_band, due_at, opened_at, id``: tickets before forum
threads (4.6), then by support level (2.1; resellers between STARTER and FREE, 3.4).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping

from .clock import BusinessClock
from .durations import require_aware
from .wording import age_text, time_left_text, time_text

CHANNELS: tuple[str, ...] = ("ticket", "forum")  # policy 4.6: tickets first
CHANNEL_LABELS = {"ticket": "Ticket", "forum": "Forum"}
BAND_WIDTH = 10  # priorities are validated to 1..9, so channels never overlap


def check_channel(channel: str) -> str:
    """Return channel unchanged, or raise ValueError naming the allowed channels."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}")
    return channel


def rank_band(channel: str, level: str, priorities: Mapping[str, int]) -> int:
    """A small integer stored with the request: lower sorts first (policy 4.6, 2.1, 3.4)."""
    return CHANNELS.index(check_channel(channel)) * BAND_WIDTH + priorities[level]


def queue_key(channel: str, level: str, due_at: datetime, opened_at: datetime, id: int,
              priorities: Mapping[str, int]) -> tuple:
    """A sort key matching ORDER BY rank_band, due_at, opened_at, id."""
    return (
        rank_band(channel, level, priorities),
        require_aware(due_at, "due_at").astimezone(timezone.utc),
        require_aware(opened_at, "opened_at").astimezone(timezone.utc),
        id,
    )


def explain_rank(channel: str, level: str, due_at: datetime, now: datetime,
                 clock: BusinessClock, zone_label: str, left: timedelta | None = None) -> str:
    """'Ticket · PRO · due Mon 9 Mar 2026 10:30 PT · 1 h 20 min of business time left' (or '... overdue by ...').

    `left` is the business time left when the caller has it already (negative once overdue)."""
    check_channel(channel)
    require_aware(due_at, "due_at")
    require_aware(now, "now")
    if left is None:
        left = (clock.business_time_between(now, due_at) if now <= due_at
                else -clock.business_time_between(due_at, now))
    due = "due " + time_text(due_at, clock.zone, zone_label)
    return " · ".join((CHANNEL_LABELS[channel], level, due, time_left_text(left, now > due_at)))


CHANNEL_REASONS = {"ticket": "Ticket: tickets come before every forum thread (policy 4.6)",
                   "forum": "Forum thread: after every ticket (policy 4.6)"}
LEVEL_CLAUSES = {"RESELLER": "policy 3.4"}  # every other level ranks by policy 2.1


def rank_reasons(channel: str, level: str, level_reason: str, due_at: datetime, opened_at: datetime,
                 now: datetime, clock: BusinessClock, zone_label: str, left: timedelta | None = None,
                 answered: bool = False) -> tuple[str, ...]:
    """What decided a request's place in the queue, one line each, in the order of the sort:
    channel (4.6), level and why (2.1, 3.4), due time and time left, age ("Why is this here?").

    `level_reason` is the reason the request keeps with its level ('' for none, e.g. a thread);
    `answered` is a follow-up: its first response was given, so no target runs (policy 2.1)."""
    check_channel(channel)
    for name, value in (("due_at", due_at), ("opened_at", opened_at), ("now", now)):
        require_aware(value, name)
    clause = LEVEL_CLAUSES.get(level, "policy 2.1")
    level_line = f"Level {level} ({clause})" + (f": {level_reason}" if level_reason else "")
    due = time_text(due_at, clock.zone, zone_label)
    if answered:
        due_line = (f"Follow-up: the first response was given, so no first-response target applies "
                    f"(policy 2.1); it keeps its place by its original due time, {due}")
    else:
        if left is None:
            left = (clock.business_time_between(now, due_at) if now <= due_at
                    else -clock.business_time_between(due_at, now))
        due_line = f"First response due {due}: {time_left_text(left, now > due_at)}"
    opened = time_text(opened_at, clock.zone, zone_label)
    age_line = f"Opened {opened}, {age_text(opened_at, now)} ago (the older first at the same level and due time)"
    return (CHANNEL_REASONS[channel], level_line, due_line, age_line)


@dataclass(frozen=True)
class SlaClock:
    """A first-response clock: its state and the business time left (negative once overdue)."""
    state: str  # ok | at_risk | breached
    left: timedelta

    def text(self) -> str:
        """The time left in the portal's one wording (business time, policy 2.1 footnote)."""
        return time_left_text(self.left, self.state == "breached")


def sla_clock(opened_at: datetime, due_at: datetime, now: datetime,
              clock: BusinessClock, at_risk: float) -> SlaClock:
    """State and time left, each business-time span computed once (a queue page shows many)."""
    for name, value in (("opened_at", opened_at), ("due_at", due_at), ("now", now)):
        require_aware(value, name)
    if now > due_at:
        return SlaClock("breached", -clock.business_time_between(due_at, now))
    left = clock.business_time_between(now, due_at)
    target = clock.business_time_between(opened_at, due_at)
    return SlaClock("at_risk" if left < target * at_risk else "ok", left)


def sla_clocks(spans, now: datetime, clock: BusinessClock, at_risk: float) -> list[SlaClock]:
    """`sla_clock` for each (opened_at, due_at) of `spans` at one moment: a queue page's clocks,
    with `now`'s business position worked out once instead of twice per request."""
    return [SlaClock(state, timedelta(microseconds=left)) for state, _, left in _readings(spans, now, clock, at_risk)]


def sla_readings(spans, now: datetime, clock: BusinessClock, at_risk: float) -> list[tuple[str, str, int]]:
    """(state, words, business time left in microseconds) of each (opened_at, due_at) at one
    moment: what `sla_clock` and its `text()` say, for a page of clocks (the queue) at a few
    integer operations each (a timedelta is made only for a row whose explanation is shown)."""
    return _readings(spans, now, clock, at_risk)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)
_MINUTE = 60_000_000  # microseconds
# (clock, opened_at, due_at) -> (due_at in microseconds since the epoch, its business position, the
# target's business length): a pure function of the span, and a queue page shows the same spans
# on every load; only `now` moves. At most 20,000 are kept per process.
_SPANS: dict = {}
# the words of a time left as one int key: whole minutes, overdue, negative (time_left_text)
_WORDS: dict = {}


def _span(clock: BusinessClock, opened_at: datetime, due_at: datetime) -> tuple[int, int, int]:
    end = clock.position(require_aware(due_at, "due_at"))
    found = ((due_at - _EPOCH) // _MICRO, end, end - clock.position(require_aware(opened_at, "opened_at")))
    if len(_SPANS) >= 20_000:
        _SPANS.clear()
    _SPANS[(clock, opened_at, due_at)] = found
    return found


def _words(key: int, left: int, overdue: bool) -> str:
    """time_left_text of `left` microseconds, whose words depend on the minutes, the sign and
    overdue only: `key` holds those three."""
    if len(_WORDS) >= 20_000:
        _WORDS.clear()
    found = _WORDS[key] = time_left_text(timedelta(microseconds=left), overdue)
    return found


def _readings(spans, now: datetime, clock: BusinessClock, at_risk: float) -> list[tuple[str, str, int]]:
    """(state, words, left in microseconds) per span, as sla_clock decides them: breached once
    `now` is past the due time (compared as instants), else at risk when under `at_risk` of the
    target is left (policy 2.1). The memos are read in the loop itself (a call per row cost more)."""
    here = clock.position(require_aware(now, "now"), remember=False)  # `now` is never asked again
    at = (now - _EPOCH) // _MICRO
    readings, kept_spans, kept_words = [], _SPANS, _WORDS
    for opened_at, due_at in spans:
        due, end, target = kept_spans.get((clock, opened_at, due_at)) or _span(clock, opened_at, due_at)
        left = end - here
        overdue = at > due
        key = (abs(left) // _MINUTE) * 4 + (2 if overdue else 0) + (left < 0)
        words = kept_words.get(key) or _words(key, left, overdue)
        if overdue:
            readings.append(("breached", words, left))
        else:
            readings.append(("at_risk" if left < target * at_risk else "ok", words, left))
    return readings


def sla_state(opened_at: datetime, due_at: datetime, now: datetime,
              clock: BusinessClock, at_risk: float) -> str:
    """'breached' after the due time, 'at_risk' when under at_risk of the target is left, else 'ok'."""
    return sla_clock(opened_at, due_at, now, clock, at_risk).state
