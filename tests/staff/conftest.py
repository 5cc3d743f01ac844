"""Staff test fixtures: factories that run inside their own application context.

A context pushed for the whole test would be reused by every test-client request (and
with it `g`, where Flask-Login keeps the logged-in user), so each factory call gets its own.
"""
import pytest

from tests import factories


@pytest.fixture
def make_ticket(app):
    return factories.in_app_context(app, factories.make_ticket)


@pytest.fixture
def make_thread(app):
    return factories.in_app_context(app, factories.make_thread)


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly (no test client)."""
    with app.app_context():
        yield
