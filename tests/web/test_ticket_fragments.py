"""The customer's ticket page and ticket list keep pieces per worker for what they show
(portal/web/fragments.py: the conversation, the unsubmitted reply and credentials forms, the list's
rows and filters): the same HTML as an app that keeps none, through every change, and never a piece
drawn for another reader (internal notes are staff's only; "You" is the reader's own messages)."""
import datetime
import re

import pytest

from portal.db import utcnow
from portal.models import Attachment, Ticket, TicketParticipant, User
from portal.services import tickets as ticket_service
from tests import factories

NOTE = "Internal: their server runs a very old build"




@pytest.fixture
def still(monkeypatch):
    """One moment for both apps' clocks (the SLA clock's words change by the minute)."""
    moment = utcnow().replace(second=0, microsecond=0) + datetime.timedelta(seconds=1)
    monkeypatch.setattr(ticket_service, "utcnow", lambda: moment)
    return moment



class Pair:
    """A reader logged in to the caching app and to the one without a cache."""

    def __init__(self, app, uncached, user):
        self.app, self.cached, self.plain = app, factories.logged_in(app, user), factories.logged_in(uncached, user)

    def page(self, path):
        a, b = self.cached.get(path), self.plain.get(path)
        assert a.status_code == b.status_code == 200
        a, b = a.get_data(as_text=True), b.get_data(as_text=True)
        assert factories.tokenless(a) == factories.tokenless(b)
        token = re.search(r'name="csrf_token" value="([^"]+)"', a)
        assert token is None or f'value="{token.group(1)}"' in a  # this request's own token
        return a


def _messages(page):
    return re.findall(r'data-message="(\d+)"', page)


def test_the_customers_ticket_page_and_list_are_the_same_html_with_and_without_the_cache(
        app, uncached, still, monkeypatch):
    with app.app_context():
        customer, staff = factories.make_user(level="PRO"), factories.make_user(role="staff", display_name="Sam")
        ticket = factories.make_ticket(customer, subject="Viewer <b>freezes</b>")
        others = [factories.make_ticket(customer, subject=f"Other {n}") for n in range(3)]
    reader = Pair(app, uncached, customer)
    page_url, list_url = f"/tickets/{ticket.id}", "/tickets/"

    def both():
        return reader.page(page_url), reader.page(list_url)
    both()
    page, listed = both()  # the second load is the kept pieces
    assert app.extensions["fragments"].hits >= 4
    assert "Viewer &lt;b&gt;freezes&lt;/b&gt;" in page and 'id="f-reply"' in page and "Viewer &lt;b&gt;freezes&lt;/b&gt;" in listed
    assert 'action="/tickets/%d/reply"' % ticket.id in page

    with app.app_context():  # a staff reply, then an internal note the customer never sees
        tk = Ticket.get_by_id(ticket.id)
        reply = ticket_service.add_reply(tk, User.get_by_id(staff.id), "Please send the Host log.", notify=False)
        note = ticket_service.add_reply(tk, User.get_by_id(staff.id), NOTE, internal=True)
    page, listed = both()
    assert str(reply.id) in _messages(page) and "Sam (support)" in page
    assert NOTE not in page and str(note.id) not in _messages(page)
    assert "First response given" in listed

    with app.app_context():  # the staff member is renamed; a file lands on the reply
        User.update(display_name="Samantha").where(User.id == staff.id).execute()
        Attachment.create(ticket=ticket.id, message=reply.id, uploaded_by=staff.id, filename="host <1>.log",
                          stored_name="frag-test-1", content_type="text/plain", size=2048, created_at=still)
    page, listed = both()
    assert "Samantha (support)" in page and "host &lt;1&gt;.log" in page and "(2.0 KB)" in page

    with app.app_context():  # the customer answers and closes the ticket: no reply form any more
        tk = Ticket.get_by_id(ticket.id)
        mine = ticket_service.add_reply(tk, User.get_by_id(customer.id), "Here it is, thanks a lot.")
        ticket_service.close_ticket(Ticket.get_by_id(ticket.id), User.get_by_id(customer.id))
        Ticket.update(subject="Renamed & moved").where(Ticket.id == others[1].id).execute()
    page, listed = both()
    assert str(mine.id) in _messages(page) and 'data-status="closed"' in page
    assert 'id="f-reply"' not in page and "Reopen it to reply" in page
    assert "Renamed &amp; moved" in listed and 'status-closed">closed' in listed
    other = reader.page(f"/tickets/{others[0].id}")  # another ticket's forms post to it
    assert 'action="/tickets/%d/reply"' % others[0].id in other and 'id="f-reply"' in other
    reader.page(list_url + "?status=closed")
    filtered = reader.page(list_url + "?status=closed")  # the filter form kept for its choice
    assert re.search(r'<option selected value="closed">', filtered) and f'data-ticket="{ticket.id}"' in filtered
    later = still + datetime.timedelta(days=8)  # the open tickets' clocks run out, nothing else changes
    monkeypatch.setattr(ticket_service, "utcnow", lambda: later)
    assert 'class="state-breached"' not in listed and 'class="state-breached"' in reader.page(list_url)


def test_a_page_kept_for_one_reader_is_never_shown_to_another(app, uncached, still):
    """Staff's conversation holds the internal note, the customer's does not; a partner ticket's
    filer reads "You" where a colleague who follows it reads the filer's name."""
    with app.app_context():
        partner, (manager, member) = factories.make_partner(managers=1, members=1)
        User.update(display_name="Mia Member").where(User.id == member.id).execute()
        staff = factories.make_user(role="staff")
        ticket = factories.make_ticket(member, level="RESELLER", partner=partner.id, subject="Partner ticket")
        TicketParticipant.create(ticket=ticket, user=manager)
        ticket_service.add_reply(Ticket.get_by_id(ticket.id), User.get_by_id(staff.id), NOTE, internal=True)
    path = f"/tickets/{ticket.id}"
    staff_client = factories.logged_in(app, staff)
    refused = staff_client.post(f"{path}/reply", data={"csrf_token": factories.csrf_token(staff_client),
                                                       "body": ""})
    assert refused.status_code == 400 and NOTE in refused.get_data(as_text=True)  # staff's page, notes and all
    filer, colleague = Pair(app, uncached, member), Pair(app, uncached, manager)
    mine = filer.page(path)
    assert NOTE not in mine and "<strong>You</strong>" in mine
    theirs = colleague.page(path)
    assert NOTE not in theirs and "<strong>You</strong>" not in theirs and "Mia Member" in theirs
    assert f'data-ticket="{ticket.id}"' in colleague.page("/partner/")
