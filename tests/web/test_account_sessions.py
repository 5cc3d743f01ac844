"""Verification ends earlier sessions; a reset link changes the password once, even under a race (issue 10)."""
import re
import time

from portal.models import User
from portal.services import accounts
from tests.factories import PASSWORD, csrf_token, make_order, race_posts


def _link(mail, path):
    return re.search(r"http://localhost(/" + path + r"/[^\s]+)", mail["body"]).group(1)


def _register(app, outbox, address, order=None):
    """A client that registered `address` (with an order delivered there, if given) and the
    confirmation link it was mailed."""
    if order:
        with app.app_context():
            make_order(address, order)
    client = app.test_client()
    client.post("/register", data={"email": address, "password": PASSWORD, "confirm": PASSWORD,
                                   "csrf_token": csrf_token(client, "/register")})
    return client, _link(outbox[-1], "verify")


def test_confirming_an_address_ends_sessions_that_predate_it(app, make_user, login, outbox):  # policy 4.5
    owner_address = "owner@example.test"
    squatter, link = _register(app, outbox, owner_address, order="PRO")
    login(User.by_email(owner_address), squatter)
    assert squatter.get("/account/").status_code == 200
    confirming = login(User.by_email(owner_address), app.test_client())
    response = confirming.post(link, data={"csrf_token": csrf_token(confirming, link)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert User.by_email(owner_address).level == "PRO"
    assert squatter.get("/account/").status_code == 302  # the earlier session is over ...
    assert confirming.get("/account/").status_code == 302  # ... and so is the confirming one
    assert b"Please log in" in confirming.get("/login").data


def test_confirming_from_another_accounts_browser_keeps_that_session(app, make_user, login, outbox):
    _client, link = _register(app, outbox, "partner@example.test")
    colleague = login(make_user(), app.test_client())  # opened the mail on a shared machine
    assert colleague.post(link, data={"csrf_token": csrf_token(colleague, link),
                                      "password": PASSWORD}).status_code == 302
    assert User.by_email("partner@example.test").verified
    assert colleague.get("/account/").status_code == 200


def test_the_owner_of_a_squatted_address_cannot_confirm_it_but_can_take_it_over(app, outbox):  # policy 4.5
    """Only the registrant can confirm; the owner takes the account over with a reset link."""
    address = "owner2@example.test"
    squatter, link = _register(app, outbox, address, order="PRO")
    owner = app.test_client()  # the real owner opens the mail: no session, no password
    page = owner.get(link).get_data(as_text=True)
    assert 'name="password"' in page and "Choose a password" in page
    refused = owner.post(link, data={"csrf_token": csrf_token(owner, link), "password": "a guess of a password"})
    assert refused.status_code == 400 and not User.by_email(address).verified
    owner.post("/reset", data={"email": address, "csrf_token": csrf_token(owner, "/reset")})
    reset = _link(outbox[-1], "reset")
    owner.post(reset, data={"password": "the owner's own password", "confirm": "the owner's own password",
                            "csrf_token": csrf_token(owner, reset)})
    taken = User.by_email(address)
    assert taken.verified and taken.level == "PRO"  # the reset proved the mailbox (policy 4.5)
    login = {"email": address, "password": PASSWORD, "csrf_token": csrf_token(squatter, "/login")}
    assert squatter.post("/login", data=login).status_code == 401  # the squatter's password is gone


def test_two_uses_of_one_reset_link_at_once_change_the_password_once(app, make_user, outbox, monkeypatch):
    user = make_user()
    client = app.test_client()
    client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    link = _link(outbox[-1], "reset")
    real_hash = accounts.hash_password

    def slow_hash(password):  # both requests have read the token's user before either writes
        hashed = real_hash(password)
        time.sleep(0.3)
        return hashed
    monkeypatch.setattr(accounts, "hash_password", slow_hash)
    clients = [app.test_client(), app.test_client()]
    forms = [{"password": f"new password {i}x", "confirm": f"new password {i}x",
              "csrf_token": csrf_token(c, link)} for i, c in enumerate(clients)]
    results = race_posts(clients, link, forms)
    assert sorted(status for status, _ in results) == [302, 400], results
    loser = next(body for status, body in results if status == 400)
    assert "already been used" in loser
    winner = next(i for i, (status, _) in enumerate(results) if status == 302)
    for i in range(2):  # the stored password is the winner's
        check = app.test_client()
        response = check.post("/login", data={"email": user.email, "password": f"new password {i}x",
                                               "csrf_token": csrf_token(check)})
        assert response.status_code == (302 if i == winner else 401)


def test_unverified_user_sees_a_banner_with_a_resend_button_on_every_page(app, make_user, login, outbox):
    user = make_user(verified=False)
    client = login(user, app.test_client())
    for path in ("/tickets/", "/policy", "/account/"):
        html = client.get(path).get_data(as_text=True)
        banner = html.split("data-unverified", 1)[1].split("</div>", 1)[0]
        assert 'action="/verify/resend"' in banner and 'name="csrf_token"' in banner, path
    token = re.search(r'name="csrf_token" value="([^"]+)"', banner).group(1)
    assert client.post("/verify/resend", data={}).status_code == 400  # CSRF
    assert client.post("/verify/resend", data={"csrf_token": token}).status_code == 302
    assert outbox[-1]["to"] == user.email and "/verify/" in outbox[-1]["body"]
    verified = login(make_user(), app.test_client())
    assert "data-unverified" not in verified.get("/tickets/").get_data(as_text=True)


def test_a_request_sent_beside_the_login_does_not_undo_it(app, make_user):
    """The browser fetches /favicon.ico, styles and scripts beside the login form; one of those
    replies landing after the login's must not set the anonymous session again (the cookie is
    last-writer-wins). So an anonymous request that changes nothing writes no cookie."""
    user = make_user()
    client = app.test_client()
    token = csrf_token(client, "/login")  # the session now holds the CSRF token
    for path in ["/favicon.ico", "/static/css/portal.css", "/no-such-page", "/login", "/"]:
        response = client.get(path)
        assert response.headers.getlist("Set-Cookie") == [], path
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers.getlist("Set-Cookie")
    for path in ["/favicon.ico", "/no-such-page", "/account/"]:
        assert client.get(path).headers.getlist("Set-Cookie") == [], path
    assert client.get("/account/").status_code == 200
