"""The requester panel of the staff ticket page (issue 13): who asked, at which level and why,
their licenses, and their other open and recent tickets.

A fixed number of queries whatever the requester has (one for the licenses, one for the other
open and recent tickets): the page's ticket query already joined the requester. The facts are
plain values (tuples, no models), so the page may key its kept HTML by them.
"""
import functools
import operator
from collections import namedtuple
from typing import NamedTuple

from peewee import SQL

from portal import prepared
from portal.db import utcnow
from portal.models import License, Ticket
from portal.services.licenses import is_current, masked_key

OTHER_TICKETS = 5  # a few of each, linked; the requester's whole list is a staff view of its own
OPEN, RECENT = ("open", "waiting"), ("solved", "closed")


class LicenseLine(NamedTuple):
    key: str        # masked ('...-9ZT3'): the whole key is on no staff page
    tier: str
    current: bool   # valid on the policy's date (policy 2.1)
    expires_on: object


OtherTicket = namedtuple("OtherTicket", "id subject status updated_at")
_other = functools.partial(tuple.__new__, OtherTicket)  # from its values, without a Python call
_NEWEST = operator.itemgetter(3, 0)  # (updated_at, id)


class RequesterFacts(NamedTuple):  # tuples: the page's key compares and hashes them without a Python call
    name: str
    email: str
    level: str                # the ticket's level, as filed and ranked (policy 2.1, 3.4)
    level_reason: str         # why, recorded with the ticket
    account_level: str        # the account's level now
    account_reason: str
    licenses: tuple           # LicenseLine, newest first
    open_tickets: tuple       # OtherTicket: other open or waiting tickets, newest activity first
    recent_tickets: tuple     # OtherTicket: other solved or closed tickets, newest activity first

    @property
    def level_changed(self):
        return self.account_level != self.level


def _newest(statuses, requester_id, ticket_id, name):
    newest = (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Ticket.updated_at)
              .where((Ticket.requester == requester_id) & (Ticket.id != ticket_id) & Ticket.status.in_(statuses))
              .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(OTHER_TICKETS))
    return Ticket.select(SQL("*")).from_(newest.alias(name))


def _others_query(requester_id, ticket_id, requester_again, ticket_again):
    # one statement for both lists, each with its own order and limit (prepared takes each
    # argument once, hence the ids twice)
    return (_newest(OPEN, requester_id, ticket_id, "open_ones")
            + _newest(RECENT, requester_again, ticket_again, "recent_ones"))


def _others(ticket):
    """(open, recent): the requester's other open or waiting tickets and other solved or closed
    ones, OTHER_TICKETS of each, newest activity first."""
    moment = Ticket.updated_at.python_value
    rows = prepared.raw("requester's other tickets", _others_query,
                        ticket.requester_id, ticket.id, ticket.requester_id, ticket.id)
    # a union keeps no order of its own: each list in its query's order, (updated_at, id) descending
    found = sorted([_other((ident, subject, status, moment(at))) for ident, subject, status, at in rows],
                   key=_NEWEST, reverse=True)
    return (tuple(other for other in found if other.status in OPEN),
            tuple(other for other in found if other.status in RECENT))


_License = namedtuple("_License", "key type purchased_on expires_on")  # what is_current and the panel read


def _licenses(user_id):
    return (License.for_user(user_id)
            .select(License.key, License.type, License.purchased_on, License.expires_on).tuples())


def requester_facts(ticket, now=None):
    """The panel's facts for `ticket`, whose `requester` the caller joined in."""
    person, now = ticket.requester, now or utcnow()
    licenses = tuple(LicenseLine(masked_key(lic.key), lic.type, is_current(lic, now), lic.expires_on)
                     for lic in map(_License._make, prepared.rows("license rows of a user", _licenses, person.id)))
    open_tickets, recent_tickets = _others(ticket)
    return RequesterFacts(
        name=person.name, email=person.email, level=ticket.level, level_reason=ticket.level_reason or "",
        account_level=person.level, account_reason=person.level_reason or "", licenses=licenses,
        open_tickets=open_tickets, recent_tickets=recent_tickets)
