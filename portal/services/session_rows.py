"""Finding a ticket's remote sessions (reads only), for sessions and credentials alike."""
from peewee import JOIN

from portal import prepared
from portal.models import RemoteSession, User

ACTIVE = ("scheduled", "running")
LIVE = ("requested", "scheduled", "running")


def with_agent(where, agent=(User,)):
    """Sessions matching `where` with their agent joined (None when unassigned), newest first;
    `agent` the agent's columns (the whole row by default)."""
    return (RemoteSession.select(RemoteSession, *agent)
            .join(User, JOIN.LEFT_OUTER, on=(RemoteSession.agent == User.id), attr="agent")
            .where(where)
            .order_by(RemoteSession.id.desc()))


def live_session(ticket, statuses=LIVE):
    """The ticket's newest session in `statuses` (requested, scheduled or running), agent joined, or None.

    The one lookup of a ticket's current session: pass ACTIVE for a scheduled or running one.
    """
    def query(ticket_id):
        return with_agent((RemoteSession.ticket == ticket_id) & RemoteSession.status.in_(statuses)).limit(1)
    return prepared.first(("live session", tuple(statuses)), query, getattr(ticket, "id", ticket))


NAMED = (User.id, User.email, User.display_name, User.role)  # of an agent, what `name` needs and pages show


def sessions_of(ticket):
    """Every session of a ticket with its agent (NAMED: the staff panels and the credential
    check show the agent's name only), newest first."""
    return prepared.rows("sessions of a ticket", lambda ticket_id: with_agent(RemoteSession.ticket == ticket_id, NAMED),
                         getattr(ticket, "id", ticket))


def newest(sessions, statuses):
    """The first session of a newest-first list in `statuses` (what live_session finds), or None."""
    return next((s for s in sessions if s.status in statuses), None)
