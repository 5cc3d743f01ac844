"""The customer's calendar file for a scheduled remote session (policy 8.1, 1.5)."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, request
from flask_login import current_user

from portal.models import RemoteSession
from portal.services import ics, sessions
from portal.services.tickets import get_ticket_for

bp = Blueprint("session_ics", __name__)


@bp.app_template_global()
def ticket_scheduled_session(ticket, live=None):
    """The ticket's scheduled or running session with its local start time, or None.

    `live` may be the page's own live session of this ticket (requested, scheduled or running; a
    ticket has at most one), which spares the query; anything else is ignored.
    """
    known = isinstance(live, RemoteSession) and live.ticket_id == ticket.id
    session = live if known else sessions.live_session(ticket, sessions.ACTIVE)
    if session is None or session.status not in sessions.ACTIVE:
        return None
    return {"session": session, "local": sessions.local_text(session.starts_at),
            "agent": session.agent.name if session.agent else "a support agent"}


@bp.get("/tickets/<int:ticket_id>/session.ics")
def download(ticket_id):
    """The session as an iCalendar attachment; 404 for anyone who may not see the ticket."""
    ticket = get_ticket_for(current_user, ticket_id)
    session = sessions.live_session(ticket, sessions.ACTIVE)
    if session is None or session.starts_at is None:
        abort(404)
    base = current_app.config.get("BASE_URL") or request.host_url
    body = ics.session_event(session, urlsplit(base).hostname or request.host,
                             f"{base.rstrip('/')}/tickets/{ticket.id}", sessions.local_text(session.starts_at))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ticket-{ticket.id}-session.ics"'
    return response
