"""The licenses a partner bought for resale (policy 3.1): the orders whose `partner` it is.

Each row says how the license stands today (`license_state` of the policy: current, expiring
within EXPIRING_DAYS, expired) and how many open tickets name it (those the viewer may see).
A page is one query: the open tickets counted by a correlated subquery, the end customer's
account (once the license is bound to it, policy 4.5) joined in. Another partner's license is
never found: every read starts from the partner's own orders.
"""
import datetime
from dataclasses import dataclass

from peewee import JOIN, fn

from portal.db import utcnow
from portal.models import License, Order, Ticket, User
from portal.policy.levels import mask_key
from portal.policy.partners import EXPIRING_DAYS, license_state
from portal.services import get_policy
from portal.services.errors import NotFound
from portal.services.paging import page_of
from portal.services.partner_tickets import license_matches, visible_to
from portal.services.partners import OPEN, visible_tickets

PAGE_SIZE = 25
SEARCH_MAX = 100
EXPIRING_SHOWN = 10
TICKETS_SHOWN = 20


@dataclass(frozen=True)
class LicenseRow:
    """One license as the partner sees it: the key masked but for its last block."""
    id: int
    masked_key: str
    tier: str
    registered: bool            # bound to the end customer's account (policy 4.5)
    customer: str               # that account's name, when it gave one
    delivery_email: str
    purchased_on: datetime.date
    expires_on: datetime.date | None
    state: str                  # current | expiring | expired | not_started (policy license_state)
    open_tickets: int


def today():
    """The policy's date: licenses start and expire by it (policy 2.1)."""
    return get_policy().local_date(utcnow())


def _query(user, partner):
    # policy 3.1: count only what the viewer's list would show
    counted = (Ticket.license == License.id) & Ticket.status.in_(OPEN) & visible_to(user)
    open_count = Ticket.select(fn.COUNT(Ticket.id)).where(counted)
    return (License.select(License.id, License.key, License.type, License.purchased_on, License.expires_on,
                           Order.delivery_email, User.id, User.display_name, open_count.alias("open_count"))
            .join(Order, on=(License.order == Order.id))
            .join_from(License, User, JOIN.LEFT_OUTER, on=(License.user == User.id), attr="holder")
            .where(Order.partner == partner))


def _row(lic, day):
    holder = getattr(lic, "holder", None)
    registered = holder is not None and holder.id is not None
    return LicenseRow(id=lic.id, masked_key=mask_key(lic.key), tier=lic.type, registered=registered,
                      customer=holder.display_name if registered else "",
                      delivery_email=lic.order.delivery_email, purchased_on=lic.purchased_on,
                      expires_on=lic.expires_on, state=license_state(lic.purchased_on, lic.expires_on, day),
                      open_tickets=lic.open_count)


def clean_search(text):
    """The search words as the list uses them: trimmed, at most SEARCH_MAX characters."""
    return " ".join((text or "").split())[:SEARCH_MAX]


def search_licenses(user, partner, words="", page=1):
    """A page of LicenseRows of the partner, newest purchase first; `words` match part of the key,
    of the delivery email or of the end customer's account name (not its address, which the
    partner may not know)."""
    query, words, day = _query(user, partner), clean_search(words), today()
    if words:
        query = query.where(license_matches(words))
    query = query.order_by(License.purchased_on.desc(), License.id.desc())
    return page_of(lambda limit, offset: [_row(lic, day) for lic in query.limit(limit).offset(offset)],
                   page, PAGE_SIZE)


def license_for(user, partner, license_id):
    """One of the partner's licenses by id; NotFound for any other (another partner's included)."""
    lic = _query(user, partner).where(License.id == license_id).first()
    if lic is None:
        raise NotFound("That license")
    return _row(lic, today())


def expiring_soon(user, partner, limit=EXPIRING_SHOWN):
    """The partner's licenses that expire within EXPIRING_DAYS, soonest first (policy 3.1)."""
    day = today()
    query = (_query(user, partner)
             .where((License.purchased_on <= day) & (License.expires_on > day)
                    & (License.expires_on <= day + datetime.timedelta(days=EXPIRING_DAYS)))
             .order_by(License.expires_on, License.id).limit(limit))
    return [_row(lic, day) for lic in query]


def open_tickets_of(user, partner, license_id, limit=TICKETS_SHOWN):
    """The open tickets about one of the partner's licenses that `user` may see, latest activity first."""
    return list(visible_tickets(user, partner)
                .where((Ticket.license == license_id) & Ticket.status.in_(OPEN))
                .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit))
