"""Read and validate the policy file (policy 1.4 Decision: the policy is versioned data)."""
from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import WEEKDAY_NAMES, BusinessClock
from .decisions import parse_decisions
from .levels import LEVELS
from .mail_rules import parse_mail
from .partners import parse_partners
from .rank import CHANNELS
from .scope import Scope, ScopeClass

DEFAULT_PATH = Path(__file__).with_name("default.toml")
ENV_VAR = "PORTAL_POLICY_FILE"
_TOP_KEYS = {"version", "time_zone", "zone_label", "at_risk_threshold", "hours", "labels",
             "priorities", "targets", "channels", "remote", "english_only", "scope", "decisions",
             "partners", "mail"}
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the key and the reason."""


def _fail(key: str, reason: str):
    raise PolicyError(f"{key}: {reason}")


def _table(data: dict, key: str, path: str | None = None, allowed: set | None = None) -> dict:
    path = path or key
    if key not in data:
        _fail(path, "missing")
    value = data[key]
    if not isinstance(value, dict):
        _fail(path, "must be a table")
    for extra in sorted(set(value) - allowed) if allowed is not None else ():
        _fail(f"{path}.{extra}", "unknown key")
    return value


def _text(data: dict, key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(path, "must be a non-empty string" if key in data else "missing")
    return value


def _per_level(data: dict, key: str) -> dict:
    table = _table(data, key, allowed=set(LEVELS))
    for level in LEVELS:
        if level not in table:
            _fail(f"{key}.{level}", "missing (every level needs a value)")
    return table


def _clock_time(value: Any, path: str) -> time:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        _fail(path, 'must be a time "HH:MM" (24-hour)')
    return time(int(value[:2]), int(value[3:]))


def _holiday(value: Any, path: str) -> date:
    if isinstance(value, date):  # a TOML date literal
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _fail(path, "must be an ISO date such as 2026-12-25")


def _hours(data: dict, zone: ZoneInfo) -> BusinessClock:
    hours = _table(data, "hours", allowed={"open", "close", "days", "holidays"})
    opens = _clock_time(hours.get("open"), "hours.open")
    closes = _clock_time(hours.get("close"), "hours.close")
    if closes <= opens:
        _fail("hours.close", "must be after hours.open")
    days = hours.get("days")
    if not isinstance(days, list) or not days:
        _fail("hours.days", f"must be a non-empty list of weekday names ({', '.join(WEEKDAY_NAMES)})")
    for i, day in enumerate(days):
        if day not in WEEKDAY_NAMES:
            _fail(f"hours.days[{i}]", f"{day!r} is not one of {', '.join(WEEKDAY_NAMES)}")
    if len(set(days)) != len(days):
        _fail("hours.days", "lists a weekday twice")
    raw = hours.get("holidays", [])
    if not isinstance(raw, list):
        _fail("hours.holidays", "must be a list of ISO dates")
    holidays = [_holiday(v, f"hours.holidays[{i}]") for i, v in enumerate(raw)]
    return BusinessClock(zone, opens, closes, [WEEKDAY_NAMES.index(d) for d in days], holidays)


def _levels(data: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"labels": {}, "priorities": {}, "targets": {}, "channels": {}}
    for level, value in _per_level(data, "labels").items():
        out["labels"][level] = _text({"v": value}, "v", f"labels.{level}")
    for level, value in _per_level(data, "priorities").items():
        if type(value) is not int or not 1 <= value <= 9:
            _fail(f"priorities.{level}", "must be a whole number from 1 to 9")
        out["priorities"][level] = value
    for level, value in _per_level(data, "targets").items():
        if type(value) not in (int, float) or not 0 < value < 1e6:
            _fail(f"targets.{level}", "must be a positive number of hours")
        out["targets"][level] = float(value)
    for level, value in _per_level(data, "channels").items():
        if not isinstance(value, list) or any(c not in CHANNELS for c in value):
            _fail(f"channels.{level}", f"must be a list drawn from {', '.join(CHANNELS)}")
        out["channels"][level] = tuple(c for c in CHANNELS if c in value)
    if "forum" in out["channels"]["RESELLER"]:  # a rule, not a Decision: no switch can open the forum to resellers
        _fail("channels.RESELLER", "resellers work only through tickets (policy 3.2)")
    remote = _table(data, "remote", allowed={"levels"})
    levels = remote.get("levels")
    if not isinstance(levels, list) or any(v not in LEVELS for v in levels):
        _fail("remote.levels", f"must be a list of levels drawn from {', '.join(LEVELS)}")
    out["remote_levels"] = tuple(v for v in LEVELS if v in levels)
    return out


def _scope(data: dict) -> tuple[Scope, str]:
    scope = _table(data, "scope", allowed={"topics", "commitments", "out_of_scope"})
    lists = {}
    for key in ("topics", "commitments"):
        items = scope.get(key, [] if key == "commitments" else None)
        if not isinstance(items, list) or (key == "topics" and not items):
            _fail(f"scope.{key}", "must be a non-empty list of strings" if key == "topics" else "must be a list of strings")
        lists[key] = tuple(_text({"v": v}, "v", f"scope.{key}[{i}]") for i, v in enumerate(items))
    raw = scope.get("out_of_scope")
    if not isinstance(raw, list) or not raw:
        _fail("scope.out_of_scope", "must be a non-empty array of tables ([[scope.out_of_scope]])")
    classes: list[ScopeClass] = []
    for i, entry in enumerate(raw):
        path = f"scope.out_of_scope[{i}]"
        if not isinstance(entry, dict):
            _fail(path, "must be a table with code, title and reply")
        for extra in sorted(set(entry) - {"code", "title", "reply"}):
            _fail(f"{path}.{extra}", "unknown key")
        code = _text(entry, "code", f"{path}.code")
        if any(c.code == code for c in classes):
            _fail(f"{path}.code", f"{code!r} appears twice")
        classes.append(ScopeClass(code, _text(entry, "title", f"{path}.title"), _text(entry, "reply", f"{path}.reply")))
    english = _table(data, "english_only", allowed={"reply"})
    reply = _text(english, "reply", "english_only.reply")
    return Scope(lists["topics"], lists["commitments"], tuple(classes)), reply


def parse_policy(data: dict, source: str = "<policy>"):
    """Validate a policy mapping (as read from TOML) and build a Policy; raises PolicyError."""
    from .core import Policy  # the Policy class imports this module's names

    if not isinstance(data, dict):
        _fail("<root>", "must be a table")
    for extra in sorted(set(data) - _TOP_KEYS):
        _fail(extra, "unknown key")
    version = _text(data, "version", "version")
    zone_name = _text(data, "time_zone", "time_zone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        _fail("time_zone", f"{zone_name!r} is not a known IANA time zone")
    zone_label = _text(data, "zone_label", "zone_label") if "zone_label" in data else zone_name
    threshold = data.get("at_risk_threshold")
    if type(threshold) not in (int, float) or not 0 < threshold < 1:
        _fail("at_risk_threshold", "must be a number between 0 and 1 (e.g. 0.25)")
    clock = _hours(data, zone)
    levels = _levels(data)
    scope, english_only_reply = _scope(data)
    decisions = parse_decisions(_table(data, "decisions") if "decisions" in data else {}, _fail)
    partners = parse_partners(_table(data, "partners") if "partners" in data else {}, _fail)  # policy 3.1
    mail = parse_mail(_table(data, "mail") if "mail" in data else {}, _fail)  # policy 4.3
    return Policy(version=version, clock=clock, zone_label=zone_label, at_risk_threshold=float(threshold),
                  scope=scope, english_only_reply=english_only_reply, source=source,
                  decisions=decisions, partners=partners, mail=mail, **levels)


def load_policy(path: str | os.PathLike | None = None):
    """Load the policy: path, else $PORTAL_POLICY_FILE, else the bundled default.toml."""
    if path is None:
        path = os.environ.get(ENV_VAR) or DEFAULT_PATH
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from None
    try:
        return parse_policy(data, source=str(path))
    except PolicyError as exc:
        raise PolicyError(f"{exc} (in {path})") from None
