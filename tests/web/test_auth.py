"""Accounts: registration, verification, login, logout, reset (issue 2, policy 4.4)."""
import re

from portal.models import User
from tests.factories import PASSWORD, csrf_token


def _link(mail, path):
    match = re.search(r"http://localhost(/" + path + r"/[^\s]+)", mail["body"])
    assert match, mail["body"]
    return match.group(1)


def _register(client, email="new@example.test", password="a long password", confirm=None):
    return client.post("/register", data={"email": email, "password": password,
                                          "confirm": password if confirm is None else confirm,
                                          "csrf_token": csrf_token(client, "/register")})


def test_register_verify_login_logout(client, outbox):
    response = _register(client)
    assert response.status_code == 200 and b"Check your email" in response.data
    user = User.by_email("new@example.test")
    assert user.role == "customer" and not user.verified
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1")
    link = _link(outbox[-1], "verify")
    assert b"Confirm my email" in client.get(link).data  # GET changes nothing
    assert not User.by_email("new@example.test").verified
    wrong = client.post(link, data={"csrf_token": csrf_token(client, link), "password": "not the password"})
    assert wrong.status_code == 400 and not User.by_email("new@example.test").verified
    response = client.post(link, data={"csrf_token": csrf_token(client, link), "password": "a long password"})
    assert response.status_code == 302
    assert User.by_email("new@example.test").verified
    response = client.post("/login", data={"email": "NEW@example.test ", "password": "a long password",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def test_bad_registration_input(client):
    cases = [("not-an-email", "a long password", None, b"valid email"),
             ("a@example.test", "short", None, b"at least 10"),
             ("a@example.test", "a long password", "another one!", b"do not match")]
    for email, password, confirm, message in cases:
        response = _register(client, email, password, confirm)
        assert response.status_code == 400 and message in response.data
    assert User.select().count() == 0  # nothing half-written


def test_duplicate_registration_does_not_reveal_the_account(client, make_user, outbox):
    user = make_user()
    fresh = _register(client, "fresh@example.test")
    again = _register(client, user.email.upper())
    assert again.status_code == fresh.status_code == 200
    assert b"Check your email" in again.data and b"already" not in again.data
    assert "already exists" in outbox[-1]["body"] and outbox[-1]["to"] == user.email
    assert User.select().where(User.email == user.email).count() == 1


def test_tampered_and_reused_verify_links(client, outbox):
    _register(client)
    link = _link(outbox[-1], "verify")
    assert client.get(link[:-3] + "abc").status_code == 400
    client.post(link, data={"csrf_token": csrf_token(client, link), "password": "a long password"})
    assert client.get(link).status_code == 400  # used


def test_login_failure_message_is_the_same(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "nope nope nope",
                                        "csrf_token": csrf_token(client)})
    unknown = client.post("/login", data={"email": "ghost@example.test", "password": "nope nope nope",
                                          "csrf_token": csrf_token(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert b"Email or password is not right" in wrong.data and b"Email or password is not right" in unknown.data


def test_logout_ends_every_session(app, make_user, login):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(user, first)
    login(user, second)
    first.post("/logout", data={"csrf_token": csrf_token(first, "/account/")})
    assert second.get("/account/").status_code == 302  # the other browser is out too


def _without_tokens(page):
    return re.sub(rb'(name="csrf_token"[^>]*value="|"X-CSRFToken": ")[^"]+', rb"\1", page)


def test_password_reset_flow(app, client, make_user, outbox):
    user = make_user()
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": csrf_token(other)})
    assert response.status_code == 302
    neutral = client.post("/reset", data={"email": "ghost@example.test", "csrf_token": csrf_token(client, "/reset")})
    real = client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    # the same page either way; a CSRF token carries its second, so two renders may differ there only
    assert _without_tokens(neutral.data.replace(b"ghost@example.test", b"")) == \
        _without_tokens(real.data.replace(user.email.encode(), b""))
    assert len(outbox) == 1
    link = _link(outbox[-1], "reset")
    response = client.post(link, data={"password": "brand new password", "confirm": "brand new password",
                                       "csrf_token": csrf_token(client, link)})
    assert response.status_code == 302
    assert other.get("/account/").status_code == 302  # old session ended
    assert client.get(link).status_code == 400  # a used link is dead
    response = client.post("/login", data={"email": user.email, "password": "brand new password",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_reset_link_bad_inputs(client, make_user, outbox):
    user = make_user()
    client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    link = _link(outbox[-1], "reset")
    assert client.get("/reset/").status_code == 404
    assert client.get(link + "x").status_code == 400
    response = client.post(link, data={"password": "short", "confirm": "short", "csrf_token": csrf_token(client, link)})
    assert response.status_code == 400 and b"at least 10" in response.data
    assert client.post("/reset", data={"email": "bad", "csrf_token": csrf_token(client, "/reset")}).status_code == 400


def test_expired_links(app, client, make_user, monkeypatch):
    import itsdangerous
    from portal import tokens
    user = make_user(verified=False)
    with app.test_request_context():
        token = tokens.make_token("verify", user)
    real_loads = itsdangerous.URLSafeTimedSerializer.loads
    monkeypatch.setattr(itsdangerous.URLSafeTimedSerializer, "loads",
                        lambda self, s, max_age=None, **kw: real_loads(self, s, max_age=-1, **kw))
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400 and b"expired" in response.data


def test_change_password_keeps_this_session_and_ends_others(app, client, make_user, login):
    user = make_user()
    other = app.test_client()
    login(user)
    login(user, other)
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "another long one", "confirm": "another long one",
        "csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    bad = client.post("/account/password", data={
        "current": "wrong wrong", "password": "x" * 12, "confirm": "x" * 12,
        "csrf_token": csrf_token(client, "/account/")})
    assert bad.status_code == 400 and b"current password is not right" in bad.data


def test_login_rate_limited(client, make_user):
    user = make_user()
    codes = [client.post("/login", data={"email": user.email, "password": "wrong password",
                                         "csrf_token": csrf_token(client)}).status_code for _ in range(12)]
    assert 429 in codes and codes[0] == 401
