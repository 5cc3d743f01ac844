"""Partner organisations: two partners (A with two managers and a member, B with a manager),
made inside short app contexts that end before any request; clients per account."""
import re
import threading

import pytest

from portal import db as database
from tests import factories
from tests.tickets.conftest import client_for, in_app  # noqa: F401  (the same fixtures)


class Partners:
    """Partner A (managers `manager`, `manager2`, member `member`) and partner B (`manager_b`)."""

    def __init__(self, app):
        with app.app_context():
            self.a, (self.manager, self.manager2, self.member) = factories.make_partner(
                "Northwind Test", "P-A1", managers=2, members=1)
            self.b, (self.manager_b,) = factories.make_partner("Contoso Test", "P-B1")


@pytest.fixture
def world(app):
    return Partners(app)


LINK = re.compile(r"http://localhost(/partner/invite/[^\s]+)")


def invite_link(outbox, email):
    """The accept path of the newest invitation mailed to `email`."""
    bodies = [m["body"] for m in outbox if m["to"] == email]
    assert bodies, f"no mail to {email}"
    return LINK.search(bodies[-1]).group(1)


def token_of(path):
    return path.rsplit("/", 1)[1]


def at_once(app, calls):
    """Run each call in its own thread (own database connection, own app context), released
    together by a barrier; returns [(result or None, exception or None)] in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                try:
                    results[i] = (calls[i](), None)
                except Exception as exc:  # the loser's refusal is the point of the race
                    results[i] = (None, exc)
        finally:
            database.close_connection()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
