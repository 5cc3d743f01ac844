"""Benchmark: first-response due times per second for a 2-hour and a 10-year target (policy 2.1).

The business clock skips whole weeks arithmetically, so a 10-year target should cost about
the same as a 2-hour one: clock_ratio = rate_2h / rate_10y should stay near 1.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

if not __package__:  # run as a script (python bench/clock.py): make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.policy import DEFAULT_PATH, load_policy

TWO_HOURS = timedelta(hours=2)
TEN_YEARS = timedelta(hours=520 * 45)  # 520 weeks of 5 x 9 business hours


def _starts(count: int) -> list[datetime]:
    """Opening instants spread over a year (weekends, nights and both DST changes included)."""
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    step = timedelta(days=365) / count
    return [base + i * step for i in range(count)]


def _rate(clock, starts: list[datetime], delta: timedelta, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for start in starts:
            clock.add_business_time(start, delta)
        best = min(best, time.perf_counter() - began)
    return len(starts) / best


def run(quick: bool = False) -> dict:
    """Measure due-time computations per second for 2-hour and 10-year targets in one run."""
    clock = load_policy(DEFAULT_PATH).clock
    starts = _starts(500 if quick else 5000)
    rounds = 3 if quick else 7
    _rate(clock, starts[:100], TWO_HOURS, 1)  # warm up
    rate_2h = _rate(clock, starts, TWO_HOURS, rounds)
    rate_10y = _rate(clock, starts, TEN_YEARS, rounds)
    return {"rate_2h": round(rate_2h), "rate_10y": round(rate_10y), "clock_ratio": round(rate_2h / rate_10y, 3)}


if __name__ == "__main__":
    print(run())
