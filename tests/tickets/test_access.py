"""Who sees what: 404 for other people's tickets, the Partner Area, lists and filters (issue 4, policy 3.2)."""

import pytest

from portal.models import Attachment, Message, RemoteSession, Ticket
from tests.tickets.conftest import post, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def owned(user, ticket, client_for):
    """A PRO customer's ticket with an attachment, and a second customer's client."""
    owner = user(level="PRO")
    t = ticket(owner, files=[_file()])
    other = client_for(user(level="SITE"))
    return owner, t, other


def _file(name="shot.png", data=PNG):
    from portal.services.attachments import Incoming
    return Incoming(name, data)


GETS = ["/tickets/{id}", "/tickets/{id}/attachments/{att}"]
POSTS = ["/tickets/{id}/reply", "/tickets/{id}/close", "/tickets/{id}/reopen", "/tickets/{id}/remote",
         "/tickets/{id}/credentials"]


@pytest.mark.parametrize("url", GETS)
@pytest.mark.parametrize("htmx", [False, True])
def test_other_users_get_404_on_every_ticket_url(owned, url, htmx):
    _, t, other = owned
    att = Attachment.get()
    headers = {"HX-Request": "true"} if htmx else {}
    response = other.get(url.format(id=t.id, att=att.id), headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize("htmx", [False, True])
def test_other_users_cannot_post_to_a_ticket(owned, url, htmx):
    _, t, other = owned
    response = post(other, url.format(id=t.id), {"body": "mine now", "remote_id": "1", "password": "x"}, htmx=htmx)
    assert response.status_code == 404
    assert Message.select().count() == 1 and RemoteSession.select().count() == 0
    assert Ticket.get_by_id(t.id).status == "open"


def test_missing_ticket_and_attachment_of_another_ticket_are_404(owned, user, ticket, client_for):
    owner, t, _ = owned
    client = client_for(owner)
    assert client.get("/tickets/999999").status_code == 404
    someone = user(level="PLUS")
    foreign = ticket(someone, files=[_file("x.png")])
    foreign_att = Attachment.get(Attachment.ticket == foreign)
    # the attachment exists, but not on this ticket
    assert client.get(f"/tickets/{t.id}/attachments/{foreign_att.id}").status_code == 404


def test_staff_may_see_any_ticket(owned, user, client_for):
    _, t, _ = owned
    staff = client_for(user(role="staff"))
    assert staff.get(f"/tickets/{t.id}").headers["Location"] == f"/staff/tickets/{t.id}"  # one page per ticket
    assert staff.get(f"/tickets/{t.id}", follow_redirects=True).status_code == 200


def test_customers_get_404_on_the_partner_area(user, client_for):
    # policy 3.2: the Partner Area exists only for resellers
    for kwargs in ({"level": "PRO"}, {}, {"role": "staff"}):
        assert client_for(user(**kwargs)).get("/partner/").status_code == 404


def test_reseller_lands_in_the_partner_area_and_sees_no_forum_link(user, ticket, login, app):
    reseller = user(role="reseller")
    t = ticket(reseller)
    client = app.test_client()
    response = client.post("/login", data={"email": reseller.email, "password": "correct horse battery",
                                           "csrf_token": __import__("tests.factories").factories.csrf_token(client)})
    assert response.headers["Location"].endswith("/partner/")
    pages = [client.get(url) for url in ("/partner/", "/tickets/new", f"/tickets/{t.id}")]
    for page in pages:
        assert page.status_code == 200
        assert "/forum" not in text(page) and "Community forum" not in text(page)  # policy 3.2
    assert f"#{t.id} Viewer cannot connect" in text(pages[0]) and "of business time" in text(pages[0])
    assert client.get("/tickets/").headers["Location"].endswith("/partner/")


def test_customer_list_filters_and_paging(user, ticket, client_for):
    owner = user(level="PRO")
    for n in range(23):
        ticket(owner, subject=f"Problem number {n:02d}",
               product="Remote Utilities Server" if n % 2 else "Remote Utilities", version="")
    client = client_for(owner)
    first = text(client.get("/tickets/"))
    assert first.count("data-ticket=") == 20 and 'rel="next"' in first
    second = text(client.get("/tickets/?page=2"))
    assert second.count("data-ticket=") == 3
    server = text(client.get("/tickets/", query_string={"product": "Remote Utilities Server"}))
    assert server.count("data-ticket=") == 11
    assert text(client.get("/tickets/?status=closed")).count("data-ticket=") == 0
    # unknown filter values are ignored, never used in SQL
    odd = client.get("/tickets/", query_string={"status": "open' OR 1=1 --", "product": "x", "page": "-3"})
    assert odd.status_code == 200 and text(odd).count("data-ticket=") == 20
    fragment = client.get("/tickets/?status=open", headers={"HX-Request": "true"})
    assert text(fragment).lstrip().startswith('<div id="ticket-list"') and "<html" not in text(fragment)


def test_lists_show_only_ones_own_tickets(user, ticket, client_for):
    a, b = user(level="PRO"), user(level="PRO")
    ticket(a, subject="Alpha problem here")
    ticket(b, subject="Bravo problem here")
    page = text(client_for(a).get("/tickets/"))
    assert "Alpha problem" in page and "Bravo problem" not in page
