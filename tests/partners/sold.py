"""Licenses a partner sold and tickets about them, for the licenses and home page tests; a fixed day."""
import datetime
import itertools

import pytest
import time_machine

from portal.models import License, Order
from tests import factories

# a Tuesday noon, Pacific: inside support hours, no date change while a test runs
FIXED = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=factories.POLICY.zone)
DAY = FIXED.date()
_seq = itertools.count(1)


@pytest.fixture
def fixed_day():
    """The test runs on DAY (time ticks on from noon), so license states are known in advance."""
    with time_machine.travel(FIXED, tick=True):
        yield DAY


def sold(app, partner, tier="PRO", expires_in=200, key=None, email=None, bought_ago=100, user=None):
    """A license of an order `partner` bought for resale, expiring `expires_in` days from the
    policy's today (None: never), bound to `user` when given."""
    with app.app_context():
        order, lic = factories.make_order(email or f"buyer{next(_seq)}@customer.example", tier, key=key)
        Order.update(partner=partner).where(Order.id == order.id).execute()
        today = factories.today()
        expires = today + datetime.timedelta(days=expires_in) if expires_in is not None else None
        (License.update(purchased_on=today - datetime.timedelta(days=bought_ago), expires_on=expires,
                        user=user.id if user else None)
         .where(License.id == lic.id).execute())
        return License.get_by_id(lic.id)


def about(app, requester, lic=None, partner=None, status="open", **fields):
    """A ticket of `requester` about `lic` (its license), recorded for `partner` when given."""
    with app.app_context():
        # filed by a member, a ticket is recorded for their partner (tickets.create_ticket)
        partner = partner if partner is not None else requester.partner_id
        return factories.make_ticket(requester, license=lic, partner=partner, status=status, **fields)
