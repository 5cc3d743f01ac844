"""Mail about a remote session with its calendar file: the requester, the colleagues who follow
a partner ticket (policy 3.1 Decision) and the partner members who chose all its tickets, as their
preferences say (kind "session": scheduled, moved and cancelled alike, so a calendar never keeps
an event whose cancellation it was not sent); each gets the time in their own zone, Pacific beside it."""
from portal.services import get_policy, ics, mail_prefs

KIND = "session"


def recipients(ticket):
    """The people told of the ticket's sessions (mail_prefs.recipients, one query)."""
    return mail_prefs.recipients(ticket, KIND)


def when_for(session, person):
    """The start for `person` in their zone, e.g. 'Tue 18 Mar 2031 18:30 CET (09:30 PT)'."""
    return get_policy().time_text_for(session.starts_at, person.time_zone)


def _send(session, template, method):
    def per_reader(person):
        when = when_for(session, person)
        data = ics.calendar(session, method, when, attendee=person.email)
        return {"when": when, "attachments": [("invite.ics", f"text/calendar; method={method}", data)]}

    mail_prefs.notify(session.ticket, KIND, template, per_reader=per_reader, session=session,
                      agent=session.agent.name if session.agent else "a support agent")


def invite(session):
    """A new or moved session: METHOD:REQUEST with the session's UID and SEQUENCE."""
    _send(session, "session_invite", ics.REQUEST)


def cancelled(session):
    """A cancelled session: METHOD:CANCEL, so calendars remove the event."""
    _send(session, "session_cancelled", ics.CANCEL)
