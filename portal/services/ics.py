"""iCalendar (RFC 5545) files for a remote session, built with the `icalendar` package.

A mailed invitation is METHOD:REQUEST (METHOD:CANCEL once cancelled) with a UID that never
changes for the session and the session's SEQUENCE, which rises with every change, so calendar
programs update or remove the one event they already have. The download on the ticket page is
METHOD:PUBLISH (a file to add, not a meeting to answer). Times are in UTC.
"""
from email.utils import parseaddr

import icalendar

from portal.db import UTC, utcnow
from portal.services import links, setting

PRODID = "-//Remote Utilities Support//Support portal//EN"
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def uid(session):
    """The session's one UID, the same in every file and mail about it."""
    return f"remote-session-{session.id}@{links.host()}"


def calendar(session, method, when_text, attendee=None, stamp=None):
    """The calendar file (bytes, CRLF lines folded at 75 octets) for one session: `method` REQUEST,
    CANCEL or PUBLISH; `when_text` the start as its reader sees it; `attendee` the address it is
    mailed to (REQUEST and CANCEL name one)."""
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = icalendar.Event()
    ticket = session.ticket
    event.add("uid", uid(session))
    event.add("dtstamp", (stamp or utcnow()).astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("sequence", session.sequence)
    event.add("summary", f"Remote support session: ticket #{ticket.id}, {ticket.subject}")
    event.add("description", description(session, when_text))
    event.add("url", links.ticket_url(ticket))
    cancelled = method == CANCEL or session.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method != PUBLISH:
        organizer = icalendar.vCalAddress(f"mailto:{parseaddr(setting('MAIL_FROM') or '')[1] or 'support@' + links.host()}")
        organizer.params["cn"] = "Remote Utilities support"
        event.add("organizer", organizer)
        if attendee:
            guest = icalendar.vCalAddress(f"mailto:{attendee}")
            guest.params["rsvp"] = "FALSE"  # the requester confirms on the ticket page
            event.add("attendee", guest)
    cal.add_component(event)
    return cal.to_ical(sorted=False)


def session_event(session, local_start, stamp=None):
    """The ticket page's download (METHOD:PUBLISH) as text."""
    return calendar(session, PUBLISH, local_start, stamp=stamp).decode("utf-8")


def description(session, local_start):
    """The event's description: when, how long, with whom, which tool; never credentials."""
    agent = session.agent.name if session.agent else "a support agent"
    return (f"Remote support session for ticket #{session.ticket_id} ({session.ticket.product}).\n"
            f"Starts {local_start} with {agent}, {session.duration_minutes} minutes.\nTool: {session.tool}.\n"
            "Give remote-access credentials only through the ticket, never by email.")
