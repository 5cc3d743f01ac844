"""Mail about a remote session with its calendar file: the requester and the colleagues who follow
a partner ticket (policy 3.1 Decision) each get the time in their own zone, Pacific beside it."""
from portal.models import User
from portal.services import get_policy, ics, links, partner_tickets, runtime


def recipients(ticket):
    """The requester and the active participants of the ticket, once each."""
    people = [User.get_by_id(ticket.requester_id), *partner_tickets.participants(ticket)]
    seen, found = set(), []
    for person in people:
        if person.is_active_account and person.email not in seen:
            seen.add(person.email)
            found.append(person)
    return found


def when_for(session, person):
    """The start for `person` in their zone, e.g. 'Tue 18 Mar 2031 18:30 CET (09:30 PT)'."""
    return get_policy().time_text_for(session.starts_at, person.time_zone)


def _send(session, template, method):
    for person in recipients(session.ticket):
        when = when_for(session, person)
        data = ics.calendar(session, method, when, attendee=person.email)
        runtime.current().send_template(
            person.email, template, ticket=session.ticket, session=session, when=when,
            agent=session.agent.name if session.agent else "a support agent", link=links.ticket_url(session.ticket),
            attachments=[("invite.ics", f"text/calendar; method={method}", data)])


def invite(session):
    """A new or moved session: METHOD:REQUEST with the session's UID and SEQUENCE."""
    _send(session, "session_invite", ics.REQUEST)


def cancelled(session):
    """A cancelled session: METHOD:CANCEL, so calendars remove the event."""
    _send(session, "session_cancelled", ics.CANCEL)
