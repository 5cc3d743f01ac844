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
from .wording import time_left_text, time_text

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


def sla_state(opened_at: datetime, due_at: datetime, now: datetime,
              clock: BusinessClock, at_risk: float) -> str:
    """'breached' after the due time, 'at_risk' when under at_risk of the target is left, else 'ok'."""
    return sla_clock(opened_at, due_at, now, clock, at_risk).state
