"""Helpers shared by the policy tests: Pacific-time datetimes and policies built from tweaked data."""
from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from zoneinfo import ZoneInfo

from portal.policy import DEFAULT_PATH, parse_policy

PT = ZoneInfo("America/Los_Angeles")
UTC = ZoneInfo("UTC")

with DEFAULT_PATH.open("rb") as _f:
    DEFAULT_DATA = tomllib.load(_f)


def pt(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    """An aware Pacific-time datetime."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=PT)


def utc(y, m, d, hh=0, mm=0) -> datetime:
    """An aware UTC datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def _merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def policy_data(**overrides) -> dict:
    """The default policy data with nested overrides merged in."""
    return _merge(copy.deepcopy(DEFAULT_DATA), overrides)


def custom_policy(**overrides):
    """A Policy built from the default data with overrides (e.g. hours={'holidays': [...]})."""
    return parse_policy(policy_data(**overrides), source="<test>")
