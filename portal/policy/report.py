"""A plain-text explanation of a request's due time, for the CLI (policy 1.5, 2.1)."""
from __future__ import annotations

from datetime import datetime, timezone

from .durations import format_business_duration, require_aware


def _both(policy, at: datetime) -> str:
    local = at.astimezone(policy.zone)
    utc = at.astimezone(timezone.utc)
    return f"{local:%a %Y-%m-%d %H:%M %Z} ({utc:%Y-%m-%d %H:%M} UTC)"


def sla_report(policy, level: str, opened_at: datetime) -> str:
    """Explain when the first response is due: target, hours, and when the clock started."""
    require_aware(opened_at, "opened_at")
    due = policy.first_response_due(opened_at, level)
    clock = policy.clock
    target = policy.target(level)
    holidays = ", ".join(h.isoformat() for h in clock.holidays) or "none"
    lines = [
        f"Policy version {policy.version}",
        f"Level:    {level} ({policy.level_label(level)}), target {format_business_duration(target)}"
        " of business time for the first response (policy 2.1)",
        f"Hours:    {clock.describe()}; holidays: {holidays} (policy 1.5)",
        f"Opened:   {_both(policy, opened_at)}",
    ]
    if clock.is_open(opened_at):
        lines.append("Clock:    opened during support hours; the clock started at once")
    else:
        start = clock.next_opening(opened_at)
        lines.append(f"Clock:    opened outside support hours; the clock starts {_both(policy, start)}")
    lines.append(f"Due:      {_both(policy, due)}")
    return "\n".join(lines)
