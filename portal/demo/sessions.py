"""Demo: a scheduled remote session (policy 8.1-8.5) on the PRO customer's ticket, with credentials."""
import datetime

from portal.db import utcnow
from portal.models import RemoteSession, Ticket, User
from portal.services import get_policy
from portal.services.errors import ServiceError

DEMO_AFTER_OPENING = datetime.timedelta(hours=2, minutes=30)
CUSTOMER = "pro@demo.test"  # portal.demo.tickets files this customer's ticket with a remote request


def start_time(at):
    """The next business day after `at`'s local date, 2 h 30 after its opening (10:30 Pacific), aware."""
    policy = get_policy()
    tomorrow = policy.local_date(at) + datetime.timedelta(days=1)
    # from the next day's midnight, not from `at`: inside hours next_opening(at) is `at` itself
    opening = policy.clock.next_opening(datetime.datetime.combine(tomorrow, datetime.time(),
                                                                  tzinfo=policy.zone))
    # business time, not wall time: stays inside hours (policy 1.5) whatever the opening hour
    return policy.clock.add_business_time(opening, DEMO_AFTER_OPENING).astimezone(policy.zone)


def _start():
    """The demo session's start as a local date and time of day (policy 1.5)."""
    start = start_time(utcnow())
    return start.date(), start.time().replace(second=0, microsecond=0, tzinfo=None)


def _demo_ticket():
    """The PRO customer's open ticket, preferring the one that asked for a remote session."""
    customer = User.by_email(CUSTOMER)
    if customer is None:
        return None
    return (Ticket.select()
            .where((Ticket.requester == customer) & Ticket.status.in_(("open", "waiting")))
            .order_by(Ticket.remote_requested_at.is_null(), Ticket.id)
            .first())


def seed(password):
    """Schedule the session once; skipped with a line when the demo ticket is missing."""
    from portal.services import credentials, sessions
    ticket = _demo_ticket()
    agent = User.by_email("staff@demo.test")
    if ticket is None or agent is None:
        return ["sessions: skipped (the PRO demo ticket or staff@demo.test is missing)"]
    if RemoteSession.select().where((RemoteSession.ticket == ticket)
                                    & RemoteSession.status.in_(sessions.ACTIVE)).exists():
        return [f"session on ticket #{ticket.id}: already scheduled"]
    if not ticket.credentials.where(credentials.Credential.ciphertext.is_null(False)).exists():
        credentials.store_credentials(ticket, ticket.requester, "ID 482-915-377",
                                      "demo-only-password", "Host on the second workstation")
    try:
        session = sessions.schedule(ticket.id, agent, agent.id, *_start())
    except ServiceError as exc:
        return [f"sessions: skipped ({exc.message})"]
    return [f"session on ticket #{ticket.id}: {get_policy().time_text(session.starts_at)} with {agent.email}"]
