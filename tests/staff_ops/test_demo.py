"""The demo gains a scheduled session on the PRO demo ticket, idempotently (issue 6 Demo)."""
import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.models import Credential, RemoteSession

PACIFIC = ZoneInfo("America/Los_Angeles")
# seeding moment (Pacific), the session's start: the next business day's opening + 2 h 30 (policy 1.5)
MOMENTS = [
    ("2026-11-24T14:50", "2026-11-25T10:30"),  # weekday afternoon: now + 2 h 30 is after closing
    ("2026-11-24T09:00", "2026-11-25T10:30"),  # weekday morning: tomorrow, not today 11:30
    ("2026-12-04T16:59", "2026-12-07T10:30"),  # Friday a minute before closing: Monday
    ("2026-12-05T11:00", "2026-12-07T10:30"),  # Saturday
    ("2027-03-14T12:00", "2027-03-15T10:30"),  # the Sunday DST starts: Monday, now in PDT
    ("2026-11-23T23:59", "2026-11-24T10:30"),  # a minute before a business day starts
]


def _run(*steps):
    lines = []
    for name in steps:
        lines += importlib.import_module(name).seed("demo pass 123") or []
    return lines


@pytest.mark.clock
def test_demo_session_scheduled_once_with_credentials(app):
    with app.test_request_context():
        assert "skipped" in _run("portal.demo.sessions")[0]  # nothing to work on yet: a printed line
        lines = _run("portal.demo.accounts", "portal.demo.tickets", "portal.demo.sessions")
        assert not [line for line in lines if "skipped" in line]
        _run("portal.demo.sessions")
        session = RemoteSession.get(RemoteSession.status == "scheduled")
        assert RemoteSession.select().where(RemoteSession.ticket == session.ticket).count() == 1
        assert session.agent.email == "staff@demo.test"
        assert app.extensions["runtime"].policy.clock.is_open(session.starts_at)  # policy 1.5
        live = Credential.select().where((Credential.session == session) & Credential.ciphertext.is_null(False))
        assert live.count() == 1


@pytest.mark.parametrize("seeded, expected", MOMENTS)
def test_demo_session_starts_next_business_day_at_1030(app, seeded, expected):
    at = datetime.datetime.fromisoformat(seeded).replace(tzinfo=PACIFIC)
    with time_machine.travel(at, tick=False), app.test_request_context():
        lines = _run("portal.demo.accounts", "portal.demo.tickets", "portal.demo.sessions")
        assert not [line for line in lines if "skipped" in line], lines
        session = RemoteSession.get(RemoteSession.status == "scheduled")
    assert session.starts_at == datetime.datetime.fromisoformat(expected).replace(tzinfo=PACIFIC)
