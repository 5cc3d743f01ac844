"""Forum fixtures: factories that run in their own short application context.

A context pushed for a whole test would be shared with every test-client request (and with
it `g`, where Flask-Login keeps the user), so each factory call gets its own; `ctx` is for
tests that only call services.
"""
import pytest

from tests import factories


@pytest.fixture
def make_thread(app):
    return factories.in_app_context(app, factories.make_thread)


@pytest.fixture
def in_app(app):
    """in_app(fn, *args) → fn(*args) inside an app context."""
    return lambda fn, *args, **kwargs: factories.in_app_context(app, fn)(*args, **kwargs)


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly (no test client)."""
    with app.app_context():
        yield


@pytest.fixture
def general(app):
    with app.app_context():
        return factories.make_category("general", "General", position=1)


@pytest.fixture
def private(app):
    with app.app_context():
        return factories.make_category("staff-notes", "Staff notes", public=False, position=9)
