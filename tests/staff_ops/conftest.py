"""Fixtures for staff operations: tickets, sessions and credentials built directly."""
import datetime
import functools

import pytest

from portal.db import utcnow
from portal.models import RemoteSession
from tests import factories
from tests.factories import csrf_token


@pytest.fixture
def make_user(app):
    """factories.make_user inside an app context (a level needs the policy)."""
    def _make(*args, **kwargs):
        with app.app_context():
            return factories.make_user(*args, **kwargs)
    return _make


@pytest.fixture
def ctx(app):
    """An app context, for calling services directly."""
    with app.test_request_context():
        yield app


# staff-ops tests count the replies a ticket receives, so their tickets start without a message
make_ticket = functools.partial(factories.make_ticket, subject="Viewer freezes", body=None)


def store_credentials(app, ticket, remote_id="ID-111-222", password="s3cret-Pa55"):
    """The requester sends credentials through #4's service."""
    from portal.services import credentials
    with app.test_request_context():
        return credentials.store_credentials(ticket, ticket.requester, remote_id, password, "note")


def next_weekday(days_ahead=7, weekday=1):
    """A date at least `days_ahead` days from today falling on `weekday` (0 = Monday)."""
    day = datetime.date.today() + datetime.timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def post(client, url, data=None, token_url="/staff/dashboard", **kwargs):
    """POST with a CSRF token read from a staff page."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_url)  # base.html's logout form carries one
    return client.post(url, data=data, **kwargs)


def scheduled_session(ticket, agent, status="scheduled", starts_at=None):
    """A session row in a given state, without going through the form."""
    return RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status=status,
                                starts_at=starts_at or utcnow() + datetime.timedelta(days=2))
