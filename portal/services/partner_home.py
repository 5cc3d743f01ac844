"""The partner's home (policy 3.1): its open tickets by whom they wait for, its upcoming remote
sessions and the licenses it sold that expire soon.

A ticket waits for support while the staff queue holds it (open and awaiting staff, as
`queue` selects); it is at risk or breached when its first-response clock says so, the same
`tickets.clock_for` (the policy's SLA clock) the lists show; every other open ticket waits for
the partner. Only the tickets the viewer may see count (`partners.visible_tickets`).
"""
from dataclasses import dataclass, field

from peewee import JOIN

from portal.db import utcnow
from portal.models import License, RemoteSession, Ticket, User
from portal.policy.levels import mask_key
from portal.services import partner_licenses, tickets
from portal.services.partners import OPEN, visible_tickets
from portal.services.staff_partner import end_customer

# the open tickets one home page looks at, soonest due first: a partner with more sees this many
HOME_CAP = 500
SHOWN = 5  # tickets listed per card; the count says how many there are
SESSIONS_SHOWN = 5
GROUPS = ("support", "you", "at_risk")  # awaiting support, awaiting you, at risk or breached
LATE = ("at_risk", "breached")


@dataclass(frozen=True)
class HomeTicket:
    id: int
    subject: str
    status: str
    level: str
    clock: tickets.Clock
    filed_by: str
    end_customer: str


@dataclass
class Home:
    groups: dict = field(default_factory=lambda: {g: [] for g in GROUPS})  # group -> first SHOWN HomeTickets
    counts: dict = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    capped: bool = False      # more than HOME_CAP open tickets: the counts are of the first HOME_CAP
    sessions: list = field(default_factory=list)
    expiring: list = field(default_factory=list)


def ticket_group(ticket, now):
    """(group, first-response clock or None) of an open ticket: "support" while the staff queue
    holds it, "at_risk" when it does and the first response is at risk or overdue (policy 2.1),
    else "you" (no clock needed to tell: it is read only for the tickets a card shows)."""
    if ticket.status == "open" and ticket.awaiting_staff:
        clock = tickets.clock_for(ticket, now)
        return ("at_risk" if clock.state in LATE else "support"), clock
    return "you", None


def _end_customer(ticket):
    lic = getattr(ticket, "license", None)
    named = end_customer(ticket.end_customer_company, ticket.end_customer_email)
    return named or (f"license {mask_key(lic.key)}" if lic is not None and lic.key else "")


def open_tickets(user, partner):
    """The open tickets of the partner `user` may see, soonest due first, filer and license joined
    (at most HOME_CAP + 1, so the caller learns whether there are more)."""
    filer = User.alias("filer")
    return list(visible_tickets(user, partner)
                .select(Ticket.id, Ticket.subject, Ticket.status, Ticket.level, Ticket.awaiting_staff,
                        Ticket.opened_at, Ticket.due_at, Ticket.first_response_at, Ticket.first_response_met,
                        Ticket.end_customer_company, Ticket.end_customer_email,
                        filer.id, filer.email, filer.display_name, License.id, License.key)
                .join_from(Ticket, filer, on=(Ticket.requester == filer.id), attr="filer")
                .join_from(Ticket, License, JOIN.LEFT_OUTER, on=(Ticket.license == License.id), attr="license")
                .where(Ticket.status.in_(OPEN))
                .order_by(Ticket.due_at, Ticket.id)
                .limit(HOME_CAP + 1))


def upcoming_sessions(user, partner, now, limit=SESSIONS_SHOWN):
    """Running sessions, then scheduled ones still to start, of the tickets `user` may see (policy 8.1)."""
    agent = User.alias("agent")
    seen = visible_tickets(user, partner).select(Ticket.id)
    upcoming = (RemoteSession.status == "running") | ((RemoteSession.status == "scheduled")
                                                      & (RemoteSession.starts_at >= now))
    return list(RemoteSession
                .select(RemoteSession.id, RemoteSession.status, RemoteSession.starts_at, RemoteSession.tool,
                        Ticket.id, Ticket.subject, agent.id, agent.email, agent.display_name)
                .join_from(RemoteSession, Ticket, on=(RemoteSession.ticket == Ticket.id), attr="ticket")
                .join_from(RemoteSession, agent, JOIN.LEFT_OUTER, on=(RemoteSession.agent == agent.id), attr="agent")
                .where(RemoteSession.ticket.in_(seen) & upcoming)
                .order_by(RemoteSession.status != "running", RemoteSession.starts_at, RemoteSession.id)
                .limit(limit))


def home(user, partner, now=None):
    """What the partner's home page shows to `user`, one of its members (policy 3.1)."""
    now = now or utcnow()
    found, page = open_tickets(user, partner), Home()
    page.capped = len(found) > HOME_CAP
    for ticket in found[:HOME_CAP]:
        group, clock = ticket_group(ticket, now)
        page.counts[group] += 1
        if len(page.groups[group]) < SHOWN:
            page.groups[group].append(HomeTicket(ticket.id, ticket.subject, ticket.status, ticket.level,
                                                 clock or tickets.clock_for(ticket, now), ticket.filer.name,
                                                 _end_customer(ticket)))
    page.sessions = upcoming_sessions(user, partner, now)
    page.expiring = partner_licenses.expiring_soon(user, partner)
    return page
