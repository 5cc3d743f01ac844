"""An iCalendar (RFC 5545) event for a scheduled remote session."""
from portal.services import links
from portal.db import UTC, utcnow

PRODID = "-//Remote Utilities Support//Support portal//EN"
DURATION = "PT1H"  # the policy names no length; one hour is a planning estimate


def escape(text):
    """Escape TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma, newlines."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    parts, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def utc_stamp(dt):
    """A date-time in UTC form, e.g. 20260310T163000Z."""
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_event(session, local_start, stamp=None):
    """The calendar text (CRLF line endings) for one session; its URL is the ticket's absolute link."""
    ticket = session.ticket
    status = "CANCELLED" if session.status == "cancelled" else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:remote-session-{session.id}@{links.host()}",
        f"DTSTAMP:{utc_stamp(stamp or utcnow())}",
        f"DTSTART:{utc_stamp(session.starts_at)}",
        f"DURATION:{DURATION}",
        f"SUMMARY:{escape(f'Remote support session: ticket #{ticket.id}, {ticket.subject}')}",
        f"DESCRIPTION:{escape(description(session, local_start))}",
        f"URL:{links.ticket_url(ticket)}",
        f"STATUS:{status}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def description(session, local_start):
    """The event's description: when, with whom, which tool; never credentials."""
    agent = session.agent.name if session.agent else "a support agent"
    return (f"Remote support session for ticket #{session.ticket_id} ({session.ticket.product}).\n"
            f"Starts {local_start} with {agent}.\nTool: {session.tool}.\n"
            "Give remote-access credentials only through the ticket, never by email.")
