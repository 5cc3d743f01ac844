"""The customer's .ics for a scheduled session (policy 8.1, 1.5): RFC 5545 text, only for the ticket's people."""
import datetime
import re

from portal.db import utcnow
from portal.services import ics
from tests.staff_ops.conftest import make_ticket, scheduled_session

START = datetime.datetime(2031, 3, 18, 16, 30, tzinfo=datetime.timezone.utc)  # Tue 09:30 PDT


def test_icalendar_escapes_and_folds_long_lines(app, make_user):
    """RFC 5545 3.1 and 3.3.11, now done by the icalendar package: lines folded at 75 octets,
    never inside a UTF-8 character, TEXT escaped, and the file parses back to the same values."""
    import icalendar
    ticket = make_ticket(make_user(level="PRO"), subject="é" * 80 + ", a; b\\c")
    session = scheduled_session(ticket, make_user(role="staff"), starts_at=START)
    with app.test_request_context():
        data = ics.calendar(session, ics.REQUEST, "Tue 18 Mar 2031 09:30 PT", attendee="pat@example.test")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines) and any(line.startswith(b" ") for line in lines)
    lines[0].decode()  # each folded piece is whole UTF-8
    assert all(line.decode() is not None for line in lines)
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"Remote support session: ticket #{ticket.id}, {ticket.subject}"
    assert b"\\, a\\; b" in data.replace(b"\r\n ", b"")


def test_requester_downloads_rfc5545_calendar(app, client, make_user, login):
    customer, agent = make_user(level="PRO"), make_user(role="staff", display_name="Dana")
    ticket = make_ticket(customer, subject="Viewer, monitor; freeze")
    session = scheduled_session(ticket, agent, starts_at=START)
    login(customer)
    response = client.get(f"/tickets/{ticket.id}/session.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Content-Disposition"] == f'attachment; filename="ticket-{ticket.id}-session.ics"'
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # CRLF only
    unfolded = body.replace("\r\n ", "")
    assert f"UID:remote-session-{session.id}@localhost\r\n" in unfolded
    assert re.search(r"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", unfolded)
    assert "\r\nDTSTART:20310318T163000Z\r\n" in unfolded
    assert f"SUMMARY:Remote support session: ticket #{ticket.id}\\, Viewer\\, monitor\\; freeze\r\n" in unfolded
    assert "Tue 18 Mar 2031 09:30 PT with Dana" in unfolded


def test_other_customer_and_anonymous_get_404(app, make_user, login):
    customer, other = make_user(level="PRO"), make_user(level="PRO")
    ticket = make_ticket(customer)
    scheduled_session(ticket, make_user(role="staff"), starts_at=START)
    assert app.test_client().get(f"/tickets/{ticket.id}/session.ics").status_code == 404
    assert login(other, app.test_client()).get(f"/tickets/{ticket.id}/session.ics").status_code == 404
    assert login(make_user(role="staff"), app.test_client()).get(
        f"/tickets/{ticket.id}/session.ics").status_code == 200


def test_no_scheduled_session_404(app, client, make_user, login):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    scheduled_session(ticket, make_user(role="staff"), status="ended", starts_at=START)
    login(customer)
    assert client.get(f"/tickets/{ticket.id}/session.ics").status_code == 404
    assert client.get("/tickets/999999/session.ics").status_code == 404


def test_customer_ticket_page_shows_session_and_ics_link(app, client, make_user, login):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    scheduled_session(ticket, make_user(role="staff"), starts_at=START)
    login(customer)
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'href="/tickets/{ticket.id}/session.ics"' in html and "Tue 18 Mar 2031 09:30 PT" in html


def test_session_extra_renders_nothing_without_a_session(app, make_user):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer, opened_at=utcnow())
    with app.test_request_context():
        html = app.jinja_env.get_template("tickets/_session_extra.html").render(ticket=ticket)
    assert "session.ics" not in html
