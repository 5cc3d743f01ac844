"""Fixtures for tickets: users and tickets made inside a short app context, releases, CSRF posts.

Data is made inside `with app.app_context()` blocks that end before any request, so the
test client's requests never share `g` (and Flask-Login's cached user) with each other.
"""
import re

import pytest

from portal.services import tickets as ticket_service
from tests import factories

RELEASES = {"Remote Utilities": ["6.12.0.1", "7.5.1.0", "7.6.2.0", "8.0.0.5", "8.0.1.2", "8.1.0.3"],
            "Remote Utilities Server": ["3.2.0.1", "4.0.0.7", "4.1.0.2"]}


@pytest.fixture
def user(app):
    """user(role=, level=, verified=) → a saved account."""
    def _make(**kwargs):
        with app.app_context():
            return factories.make_user(**kwargs)
    return _make


@pytest.fixture
def ticket(app):
    """ticket(requester, **fields) → a ticket filed through the service."""
    def _make(requester, product="Remote Utilities", version="8.1.0.3", subject="Viewer cannot connect",
              body="The Viewer does not connect to the Host after the update.", **kwargs):
        with app.app_context():
            return ticket_service.create_ticket(requester, product, version, subject, body,
                                                accept_policy=True, **kwargs)
    return _make


@pytest.fixture
def in_app(app):
    """in_app(fn, *args) → fn(*args) run inside an app context."""
    def _run(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)
    return _run


@pytest.fixture
def releases(app):
    from portal.services.orders import add_release
    with app.app_context():
        for product, versions in RELEASES.items():
            for version in versions:
                add_release(product, version)


@pytest.fixture
def client_for(app, login):
    """client_for(user) → a new test client logged in as that user."""
    def _make(u):
        return login(u, app.test_client())
    return _make


def post(client, url, data=None, htmx=False, **kwargs):
    """POST with the client's CSRF token (as a form field, or as the header htmx sends)."""
    data = dict(data or {})
    headers = kwargs.pop("headers", {})
    if htmx:
        headers |= {"HX-Request": "true", "X-CSRFToken": factories.csrf_token(client)}
    else:
        data.setdefault("csrf_token", factories.csrf_token(client))
    return client.post(url, data=data, headers=headers, **kwargs)


def text(response):
    return response.get_data(as_text=True)


def submit_token(html):
    return re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
