"""Finding a ticket's remote sessions (reads only), for sessions and credentials alike."""
from collections import namedtuple

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


def _moment(name):
    field = getattr(RemoteSession, name)
    return property(lambda self: field.python_value(getattr(self, f"stored_{name}")))


_Agent = namedtuple("_Agent", "id email display_name")
_Agent.name = property(lambda self: User.name_of(self.display_name, self.email))


class LiveRow(namedtuple("LiveRow", "id ticket_id status stored_starts_at tool stored_created_at duration_minutes "
                                    "sequence stored_confirmed_at stored_change_requested_at change_note agent_id "
                                    "agent_email agent_display_name")):
    """A ticket's live session as its customer's page shows it (the fields RemoteSession names),
    read as the database driver gives it: no models, times converted only when read."""
    __slots__ = ()
    starts_at, created_at = _moment("starts_at"), _moment("created_at")
    confirmed_at, change_requested_at = _moment("confirmed_at"), _moment("change_requested_at")

    @property
    def agent(self):
        return _Agent(self.agent_id, self.agent_email, self.agent_display_name) if self.agent_id else None


def _live_row(ticket_id):
    s = RemoteSession
    return (s.select(s.id, s.ticket, s.status, s.starts_at, s.tool, s.created_at, s.duration_minutes, s.sequence,
                     s.confirmed_at, s.change_requested_at, s.change_note, s.agent, User.email, User.display_name)
            .join(User, JOIN.LEFT_OUTER, on=(s.agent == User.id))
            .where((s.ticket == ticket_id) & s.status.in_(LIVE)).order_by(s.id.desc()).limit(1))


def live_row(ticket):
    """live_session(ticket) as a LiveRow, or None (the customer's ticket page: one per load)."""
    found = prepared.raw("live session row", _live_row, getattr(ticket, "id", ticket))
    return LiveRow(*found[0]) if found else None
