"""Remote-access credentials (policy 8.5, 8.6) never appear in logs, error pages, mails, search, the
forum, or any page source but the assigned agent's reveal."""
import logging

import pytest

from portal.models import AuditLog
from tests.security.attack_helpers import HX, client_for, post, text, world  # noqa: F401

REMOTE_ID = "RID-557-661-773"
SECRET = "Zq9-CRED-PASS-7781"
NOTE = "NOTE-admin-share-4410"
VALUES = (REMOTE_ID, SECRET, NOTE)


def assert_clean(where, body):
    for value in VALUES:
        assert value not in body, (where, value)


def submit(client, ticket_id, htmx=False, **override):
    data = {"remote_id": REMOTE_ID, "password": SECRET, "notes": NOTE} | override
    return post(client, f"/tickets/{ticket_id}/credentials", data, htmx=htmx)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)  # every logger: the app's, werkzeug, peewee, flask-limiter
    return caplog


def test_credentials_are_seen_only_by_the_assigned_agent(app, world, client_for, logs):
    ticket_id = world.ids["ticket_id"]
    customer = client_for(world.users["customer"])
    agent, other, admin = (client_for(world.users[r]) for r in ("staff", "staff2", "admin"))
    outbox = app.extensions["outbox"].sent
    # refused submissions: the error page never echoes what was typed
    for bad in ({"remote_id": ""}, {"notes": "n" * 1001 + NOTE}, {"remote_id": "r" * 101 + REMOTE_ID}):
        for htmx in (False, True):
            response = submit(customer, ticket_id, htmx=htmx, **bad)
            assert response.status_code in (200, 400)
            assert_clean(("refused", tuple(bad), htmx), text(response))
    assert submit(customer, ticket_id).status_code == 302
    fragment = submit(customer, ticket_id, htmx=True)
    assert fragment.status_code == 200
    assert_clean("customer fragment", text(fragment))
    pages = {"customer ticket": customer.get(f"/tickets/{ticket_id}"), "customer list": customer.get("/tickets/"),
             "customer list rows": customer.get("/tickets/", headers=HX)}
    for who, client in (("agent", agent), ("other staff", other), ("admin", admin)):
        for url in (f"/staff/tickets/{ticket_id}", f"/staff/tickets/{ticket_id}/ops", f"/tickets/{ticket_id}",
                    "/staff/queue", "/staff/audit", "/staff/dashboard"):
            pages[f"{who} {url}"] = client.get(url, follow_redirects=True)  # staff: one page per ticket
    words = SECRET.replace("-", " ")  # searched as words: the box echoes the query itself
    pages["forum search"] = customer.get("/forum/search", query_string={"q": words})
    pages["forum"] = customer.get("/forum/")
    pages["similar"] = customer.get("/tickets/new/similar", query_string={"q": words}, headers=HX)
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_clean(where, text(response))
    cred_id = _latest_credential(app)
    for who, client in (("other staff", other), ("admin", admin), ("customer", customer)):
        refused = post(client, f"/staff/credentials/{cred_id}/reveal", {})
        assert refused.status_code in (403, 404), who
        assert_clean(f"{who} reveal", text(refused))
    shown = post(agent, f"/staff/credentials/{cred_id}/reveal", {})
    assert shown.status_code == 200 and SECRET in text(shown) and REMOTE_ID in text(shown)
    assert "no-store" in shown.headers["Cache-Control"]
    for where, url in (("audit", "/staff/audit"), ("ticket", f"/staff/tickets/{ticket_id}")):
        assert_clean(f"after reveal: {where}", text(other.get(url)))
    post(agent, f"/staff/tickets/{ticket_id}/reply", {"body": "We will connect now."})
    post(agent, f"/staff/sessions/{world.ids['session_id']}/end", {})
    assert_clean("mails", repr(outbox))
    with app.app_context():
        assert_clean("audit rows", repr(list(AuditLog.select().dicts())))
    assert_clean("logs", logs.text + repr([r.args for r in logs.records]))


def _latest_credential(app):
    from portal.models import Credential
    with app.app_context():
        return Credential.select().order_by(Credential.id.desc()).first().id


def test_a_forum_post_carrying_credentials_is_refused_and_never_shown(app, world, client_for, logs):
    client = client_for(world.users["customer"])
    body = f"Please connect: ID {REMOTE_ID} password: {SECRET}"
    for url, data in ((f"/forum/t/{world.ids['thread_id']}/reply", {"body": body}),
                      ("/forum/new", {"category": "general", "title": "Cannot connect to my PC", "body": body})):
        response = post(client, url, data)
        assert response.status_code in (200, 422), url
    from portal.models import Post
    with app.app_context():
        assert_clean("forum rows", repr(list(Post.select().dicts())))
    for url in ("/forum/", f"/forum/t/{world.ids['thread_id']}", "/forum/search?q=" + SECRET.replace("-", "+")):
        assert_clean(url, text(app.test_client().get(url)))
    assert_clean("logs", logs.text + repr([r.args for r in logs.records]))


def test_error_pages_never_show_request_values(app, world, client_for):
    client = client_for(world.users["customer"])
    for url in (f"/tickets/{world.ids['ticket_id']}/credentials", "/tickets/999999/credentials"):
        response = client.post(url, data={"remote_id": REMOTE_ID, "password": SECRET, "csrf_token": "forged"})
        assert response.status_code == 400
        assert_clean(url, text(response))
    missing = post(client, "/tickets/999999/credentials", {"remote_id": REMOTE_ID, "password": SECRET})
    assert missing.status_code == 404
    assert_clean("404", text(missing))
