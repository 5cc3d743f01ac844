"""Per-account rate limits on the ticket endpoints that can be abused (the test app has limits on)."""
from portal.models import Message, RemoteSession, Ticket
from tests.factories import csrf_token
from tests.tickets.conftest import text

NOTHING_SAVED = "Nothing was saved"


def test_filing_is_limited_to_20_tickets_an_hour_per_account(user, client_for):
    u, other = user(level="PRO"), user(level="PRO")
    client = client_for(u)
    csrf = csrf_token(client)
    codes = [client.post("/tickets/new", data={"csrf_token": csrf}).status_code for _ in range(20)]
    assert codes == [400] * 20  # refused forms count too: they cost the same to check
    over = client.post("/tickets/new", data={"csrf_token": csrf, "product": "Remote Utilities",
                                             "subject": "One too many", "body": "This one is over the limit.",
                                             "accept_policy": "1"})
    assert over.status_code == 429
    assert "You can file at most 20 tickets an hour." in text(over) and NOTHING_SAVED in text(over)
    assert Ticket.select().count() == 0
    assert client.get("/tickets/new").status_code == 200  # the form itself is not limited
    neighbour = client_for(other)  # keyed on the account, not on the (shared) address
    assert neighbour.post("/tickets/new", data={"csrf_token": csrf_token(neighbour)}).status_code == 400


def test_replies_are_limited_to_120_an_hour_and_htmx_keeps_the_text(user, ticket, client_for):
    u = user(level="PRO")
    t = ticket(u)
    client = client_for(u)
    csrf = csrf_token(client)
    url = f"/tickets/{t.id}/reply"
    codes = {client.post(url, data={"csrf_token": csrf, "body": f"reply {n}"}).status_code for n in range(120)}
    assert codes == {302}
    over = client.post(url, data={"csrf_token": csrf, "body": "reply 121"})
    assert over.status_code == 429 and "You can send at most 120 replies an hour." in text(over)
    hx = client.post(url, data={"body": "keep this text"}, headers={"HX-Request": "true", "X-CSRFToken": csrf})
    assert hx.status_code == 200 and hx.headers["HX-Retarget"] == "#reply-form"  # htmx swaps 2xx only
    assert "You can send at most 120 replies an hour." in text(hx) and "keep this text" in text(hx)
    assert Message.select().count() == 121


def test_draft_checks_are_limited_to_60_a_minute(user, client_for):
    u = user(level="PRO")
    client = client_for(u)
    hx = {"HX-Request": "true"}
    codes = [client.get("/tickets/new/check", query_string={"subject": "Viewer", "body": "it fails"},
                        headers=hx).status_code for _ in range(60)]
    assert codes == [200] * 60
    over = client.get("/tickets/new/check", query_string={"subject": "Viewer"}, headers=hx)
    assert over.status_code == 429 and "The draft was checked too often." in text(over)
    similar = [client.get("/tickets/new/similar", query_string={"q": "viewer"}, headers=hx).status_code
               for _ in range(61)]
    assert similar[:60] == [200] * 60 and similar[60] == 429


def test_remote_requests_are_limited(user, ticket, client_for):
    u = user(level="PRO")
    t = ticket(u)
    client = client_for(u)
    csrf = csrf_token(client)
    codes = [client.post(f"/tickets/{t.id}/remote", data={"csrf_token": csrf}).status_code for _ in range(31)]
    assert codes[:30] == [302] * 30 and codes[30] == 429
    assert RemoteSession.select().count() == 1
