"""One way to build absolute links: BASE_URL plus a path, used by mails, the .ics and forum posts."""
import datetime

import pytest
from flask import url_for

from portal.models import Post, RemoteSession
from portal.services import assign, ics, links, tickets
from portal.services.runtime import Runtime, using
from tests import factories

ELSEWHERE = "https://links.example.test"


def test_absolute_puts_a_path_on_base_url():
    with using(Runtime(policy=None, settings={"BASE_URL": "https://support.example.test/"})):
        assert links.absolute("/tickets/3") == "https://support.example.test/tickets/3"
        assert links.host() == "support.example.test"
        for not_a_path in ("tickets/3", "//evil.example/x", "https://evil.example/x"):
            with pytest.raises(ValueError):
                links.absolute(not_a_path)
    with using(Runtime(policy=None, settings={})), pytest.raises(RuntimeError):
        links.absolute("/tickets/3")


def test_ticket_path_is_the_ticket_page_route(ctx, ticket):
    assert links.ticket_path(ticket.id) == url_for("tickets.detail", ticket_id=ticket.id)


@pytest.fixture
def elsewhere(monkeypatch):
    monkeypatch.setattr(links, "base_url", lambda: ELSEWHERE)


def test_mail_to_the_requester_links_through_the_helper(ctx, outbox, ticket, agent, elsewhere):
    tickets.mail_requester(ticket, agent, "Try the new build.")
    assert f"{ELSEWHERE}/tickets/{ticket.id}" in outbox[-1]["body"]


def test_the_calendar_file_links_through_the_helper(ctx, ticket, agent, elsewhere):
    session = RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status="scheduled",
                                   starts_at=datetime.datetime(2031, 3, 18, 16, 30, tzinfo=datetime.timezone.utc))
    body = ics.session_event(session, "Tue 18 Mar 2031 09:30 PT").replace("\r\n ", "")
    assert f"URL:{ELSEWHERE}/tickets/{ticket.id}\r\n" in body
    assert f"UID:remote-session-{session.id}@links.example.test\r\n" in body


def test_a_converted_thread_links_through_the_helper(ctx, customer, agent, elsewhere):
    thread = factories.make_thread(customer)
    ticket = assign.convert_thread(thread, agent)
    staff_post = Post.select().where(Post.thread == thread.id).order_by(Post.id.desc()).first()
    assert f"{ELSEWHERE}/tickets/{ticket.id}" in staff_post.body
