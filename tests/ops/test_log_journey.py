"""A whole journey through the portal with JSON logs captured: no line may carry a password, a
token from a mail, a credential, a cookie, a CSRF token or an email address (issue 15)."""
import re

from portal.db import utcnow
from portal.models import Credential, Ticket, User
from tests import factories
from tests.factories import csrf_token
from tests.ops.conftest import access_lines
from tests.tickets.conftest import RELEASES

PASSWORD = "Journey-first-pass-5531"
NEW_PASSWORD = "Journey-second-pass-8872"
REMOTE_ID = "RID-903-441-218"
SECRET = "Cred-secret-Zx81-Qw"
EMAIL = "journey.person@example.test"
LINK = re.compile(r"http://localhost(/(?:verify|reset|account/unsubscribe)/([^\s>]+))")


def mailed_links(outbox, start=0):
    """(path, token) of every signed link in the mails sent since `start`, bodies and headers."""
    found = []
    for mail in outbox[start:]:
        found += LINK.findall(mail["body"]) + LINK.findall(str(mail.get("headers", "")))
    return found


def _submit_token(html):
    return re.search(r'name="submit_token" value="([^"]+)"', html).group(1)


def _revision(html):
    return {name: re.search(rf'id="reply-{name}" value="(\d+)"', html).group(1) for name in ("revision", "seen")}


def run_journey(app, client, outbox):
    """Register, confirm, log in, reset the password, file a ticket, send credentials, a staff
    member reads them and replies, the customer unsubscribes from the reply's link, logs out.
    Returns every secret the journey handled."""
    secrets = {PASSWORD, NEW_PASSWORD, REMOTE_ID, SECRET, EMAIL}
    with app.app_context():
        factories.make_order(EMAIL, "PRO")  # policy 4.5: the order's address makes the account PRO
        from portal.services.orders import add_release
        for version in RELEASES["Remote Utilities"]:
            add_release("Remote Utilities", version)
        agent = factories.make_user(role="staff", email="agent.person@example.test")
    secrets.add(agent.email)

    def csrf(url):
        token = csrf_token(client, url)
        secrets.add(token)
        return token

    response = client.post("/register", data={"email": EMAIL, "password": PASSWORD, "confirm": PASSWORD,
                                              "csrf_token": csrf("/register")})
    assert response.status_code == 200
    [(verify, token)] = mailed_links(outbox)
    secrets.add(token)
    assert client.get(verify).status_code == 200
    assert client.post(verify, data={"password": PASSWORD, "csrf_token": csrf(verify)}).status_code == 302
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "remember": "y",
                                           "csrf_token": csrf("/login")})
    assert response.status_code == 302
    # the password forgotten after all: reset by the mailed link
    sent = len(outbox)
    assert client.post("/reset", data={"email": EMAIL, "csrf_token": csrf("/reset")}).status_code == 200
    [(reset, token)] = mailed_links(outbox, sent)
    secrets.add(token)
    assert client.get(reset).status_code == 200
    response = client.post(reset, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf(reset)})
    assert response.status_code == 302
    response = client.post("/login", data={"email": EMAIL, "password": NEW_PASSWORD, "remember": "y",
                                           "csrf_token": csrf("/login")})
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        secrets.add(cookie.value)
    # a ticket, and credentials for the remote session (policy 8.5)
    html = client.get("/tickets/new").get_data(as_text=True)
    response = client.post("/tickets/new", data={
        "product": "Remote Utilities", "version": "8.1.0.3", "subject": "Viewer cannot connect",
        "body": "The Viewer does not connect to the Host after the update.", "accept_policy": "1",
        "submit_token": _submit_token(html), "csrf_token": csrf("/tickets/new")})
    assert response.status_code == 302
    ticket = Ticket.get()
    page = f"/tickets/{ticket.id}"
    response = client.post(f"{page}/credentials", data={"remote_id": REMOTE_ID, "password": SECRET,
                                                        "notes": "the office PC", "csrf_token": csrf(page)})
    assert response.status_code == 302
    # staff read the credentials during a scheduled session, and reply
    staff = app.test_client()
    response = staff.post("/login", data={"email": agent.email, "password": factories.PASSWORD,
                                          "csrf_token": csrf_token(staff, "/login")})
    assert response.status_code == 302
    secrets.add(staff.get_cookie("session").value)
    with app.app_context():
        from portal.models import RemoteSession
        import datetime
        RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status="scheduled",
                             starts_at=utcnow() + datetime.timedelta(days=2))
        credential = Credential.get()
    staff_page = f"/staff/tickets/{ticket.id}"
    token = csrf_token(staff, staff_page)
    secrets.add(token)
    shown = staff.post(f"/staff/credentials/{credential.id}/reveal", data={"csrf_token": token})
    assert shown.status_code == 200 and SECRET in shown.get_data(as_text=True)
    sent = len(outbox)
    html = staff.get(staff_page).get_data(as_text=True)
    response = staff.post(f"{staff_page}/reply", data=_revision(html) | {
        "body": "Thanks, we will connect at the agreed time.", "csrf_token": token},
        content_type="multipart/form-data")
    assert response.status_code == 302
    links = mailed_links(outbox, sent)
    assert links and all(path.startswith("/account/unsubscribe/") for path, _ in links)
    secrets.update(token for _, token in links)
    unsubscribe = links[0][0]
    assert client.get(unsubscribe).status_code == 200
    assert client.post(unsubscribe).status_code == 200  # the one-click POST (RFC 8058)
    assert client.post("/logout", data={"csrf_token": csrf("/account/")}).status_code == 302
    assert User.by_email(EMAIL).verified
    return secrets


def leaks(lines, secrets):
    """(secret, line) for every secret found in a captured line (the JSON text as written)."""
    return [(secret, text) for text in lines for secret in secrets if secret and secret in text]


def test_a_whole_journey_leaves_no_secret_in_the_logs(app, client, outbox, log_lines):
    log_lines()
    secrets = run_journey(app, client, outbox)
    lines = log_lines()
    assert len(secrets) > 12  # passwords, three kinds of mailed token, cookies, CSRF tokens, addresses
    paths = {line["path"] for line in access_lines(lines)}
    assert {"/verify/<token>", "/reset/<token>", "/account/unsubscribe/<token>",
            "/staff/credentials/<int:credential_id>/reveal"} <= paths  # the journey went there
    import json
    assert leaks([json.dumps(line) for line in lines], secrets) == []


def test_the_scan_would_see_a_token_logged_with_its_real_path(app, client, outbox, log_lines, monkeypatch):
    """The same journey with the access line writing the real path: the scan must catch it."""
    from flask import request

    from portal.web import logs
    monkeypatch.setattr(logs, "route", lambda req=None: request.path)
    log_lines()
    secrets = run_journey(app, client, outbox)
    import json
    found = {secret for secret, _ in leaks([json.dumps(line) for line in log_lines()], secrets)}
    assert len(found) >= 3  # the verify, reset and unsubscribe tokens at least
