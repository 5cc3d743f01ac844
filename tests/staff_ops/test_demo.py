"""The demo gains a scheduled session on the PRO demo ticket, idempotently (issue 6 Demo)."""
import datetime
import importlib

from portal.models import Credential, RemoteSession


def _run(*steps):
    lines = []
    for name in steps:
        lines += importlib.import_module(name).seed("demo pass 123") or []
    return lines


def test_demo_session_scheduled_once_with_credentials(app):
    with app.test_request_context():
        assert "skipped" in _run("portal.demo.sessions")[0]  # nothing to work on yet: a printed line
        _run("portal.demo.accounts", "portal.demo.tickets", "portal.demo.sessions")
        _run("portal.demo.sessions")
        session = RemoteSession.get(RemoteSession.status == "scheduled")
        assert RemoteSession.select().where(RemoteSession.ticket == session.ticket).count() == 1
        assert session.agent.email == "staff@demo.test"
        start = session.starts_at.replace(tzinfo=datetime.timezone.utc)
        assert app.extensions["policy"].clock.is_open(start)  # policy 1.5
        live = Credential.select().where((Credential.session == session) & Credential.ciphertext.is_null(False))
        assert live.count() == 1
