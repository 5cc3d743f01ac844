"""Service-layer tests: use cases called directly, no test client.

Some services still read the app (policy, settings), so each test runs inside one request
context; nothing here makes a request, so sharing it with `g` is harmless.
"""
import pytest

from tests import factories


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def customer(ctx):
    return factories.make_user(level="PRO")


@pytest.fixture
def agent(ctx):
    return factories.make_user(role="staff")


@pytest.fixture
def ticket(customer):
    return factories.make_ticket(customer)
