"""The requester panel of the staff ticket page (issue 13): who asked, at which level and why,
their licenses, and their other open and recent tickets.

A fixed number of queries whatever the requester has (one for the licenses, one for the open
tickets, one for the recent ones): the page's ticket query already joined the requester.
"""
from dataclasses import dataclass

from portal import prepared
from portal.db import utcnow
from portal.models import License, Ticket
from portal.services.licenses import is_current, masked_key

OTHER_TICKETS = 5  # a few of each, linked; the requester's whole list is a staff view of its own


@dataclass(frozen=True)
class LicenseLine:
    key: str        # masked ('...-9ZT3'): the whole key is on no staff page
    tier: str
    current: bool   # valid on the policy's date (policy 2.1)
    expires_on: object


@dataclass(frozen=True)
class RequesterFacts:
    name: str
    email: str
    level: str                # the ticket's level, as filed and ranked (policy 2.1, 3.4)
    level_reason: str         # why, recorded with the ticket
    account_level: str        # the account's level now
    account_reason: str
    licenses: list            # LicenseLine, newest first
    open_tickets: list        # other open or waiting tickets, newest activity first
    recent_tickets: list      # other solved or closed tickets, newest activity first

    @property
    def level_changed(self):
        return self.account_level != self.level


def _others(ticket, statuses):
    def query(requester_id, ticket_id):
        return (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Ticket.level, Ticket.updated_at)
                .where((Ticket.requester == requester_id) & (Ticket.id != ticket_id) & Ticket.status.in_(statuses))
                .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(OTHER_TICKETS))
    return prepared.rows(("requester's tickets", statuses), query, ticket.requester_id, ticket.id)


def requester_facts(ticket, now=None):
    """The panel's facts for `ticket`, whose `requester` the caller joined in."""
    person, now = ticket.requester, now or utcnow()
    licenses = [LicenseLine(masked_key(lic.key), lic.type, is_current(lic, now), lic.expires_on)
                for lic in prepared.rows("licenses of a user", License.for_user, person.id)]
    return RequesterFacts(
        name=person.name, email=person.email, level=ticket.level, level_reason=ticket.level_reason or "",
        account_level=person.level, account_reason=person.level_reason or "", licenses=licenses,
        open_tickets=_others(ticket, ("open", "waiting")), recent_tickets=_others(ticket, ("solved", "closed")))
