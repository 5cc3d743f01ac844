"""Every link and form target on the staff ticket page is a route of the app (the page builds its
ticket's URLs from one prefix, issue 16), and the ones that lead to a page open it."""
import html as html_lib
import re

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from portal.models import Ticket
from portal.services import assign
from portal.services import tickets as ticket_service
from portal.services.attachments import Incoming

TARGET = re.compile(r'\b(href|action|hx-post|hx-get)="(/[^"#]*)')


def _targets(page):
    return {(attr, html_lib.unescape(url)) for attr, url in TARGET.findall(page)}


def _routable(app, method, url):
    path, _, query = url.partition("?")
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


@pytest.mark.parametrize("assigned", [False, True])
def test_every_target_on_the_staff_ticket_page_is_a_route(app, client, make_user, login, make_ticket, assigned):
    agent, customer = make_user(role="staff"), make_user(level="PRO")
    ticket, other = make_ticket(customer), make_ticket(customer, subject="An older question")
    with app.app_context():
        ticket_service.add_reply(ticket, customer, "The log.", files=[Incoming("host.log", b"line 1\n")])
        if assigned:
            assign.claim(ticket.id, agent)
    login(agent)
    page = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    targets = _targets(page)
    posts = {url for attr, url in targets if attr in ("action", "hx-post") and url.startswith(f"/staff/tickets/{ticket.id}/")}
    assert f"/staff/tickets/{ticket.id}/{'unassign' if assigned else 'claim'}" in posts
    assert {f"/staff/tickets/{ticket.id}/{a}" for a in ("assign", "status", "reply", "note")} <= posts
    methods = {"href": ("GET",), "hx-get": ("GET",), "hx-post": ("POST",), "action": ("GET", "POST")}
    for attr, url in targets:
        assert any(_routable(app, method, url) for method in methods[attr]), (attr, url)
    for url in posts:
        assert _routable(app, "POST", url), url
    files = [url for _, url in targets if "/attachments/" in url]
    assert files and all(client.get(url).status_code == 200 for url in files)
    assert ("href", f"/staff/tickets/{other.id}") in targets  # the requester's other open ticket
    assert client.get(f"/staff/tickets/{other.id}").status_code == 200
    assert Ticket.select().count() == 2
