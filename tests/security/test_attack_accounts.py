"""Account takeover and redirect attacks: reset tokens (empty, tampered, reused, expired, of the
wrong purpose), reset and registration enumeration, open redirects through `next` and other
user-given targets."""
import re
from urllib.parse import urljoin, urlsplit

import pytest

from portal.models import User
from tests.factories import PASSWORD, csrf_token
from tests.security.attack_helpers import client_for, make_user, post, text, world  # noqa: F401

NEW_PASSWORD = "a brand new password"


def reset_link(app, client, email):
    outbox = app.extensions["outbox"].sent
    before = len(outbox)
    client.post("/reset", data={"email": email, "csrf_token": csrf_token(client, "/reset")})
    assert len(outbox) == before + 1
    return re.search(r"http://localhost(/reset/\S+)", outbox[-1]["body"]).group(1)


def choose(client, link, password=NEW_PASSWORD):
    return client.post(link, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_token(client, "/reset")})


def can_log_in(app, email, password):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password,
                                            "csrf_token": csrf_token(client)})
    return response.status_code == 302


TOKENS = ["", " ", "null", "undefined", "0", "e30", "eyJpZCI6MX0", "%00", "..%2F..%2Flogin", "a" * 5000,
          "eyJpZCI6MSwiZnAiOiIifQ.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"]


def test_empty_or_forged_reset_tokens_change_nothing(app, world):
    user = world.users["customer"]
    client = app.test_client()
    for token in TOKENS:
        for method in ("get", "post"):
            data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, "/reset")}
            response = getattr(client, method)(f"/reset/{token}", data=data if method == "post" else None)
            assert response.status_code in (400, 404), (token, method, response.status_code)
            assert 'name="password"' not in text(response)
    assert can_log_in(app, user.email, PASSWORD) and not can_log_in(app, user.email, NEW_PASSWORD)


def test_reset_token_works_once_and_dies_when_the_password_changes(app, world):
    user, client = world.users["customer"], app.test_client()
    first, second = reset_link(app, client, user.email), reset_link(app, client, user.email)
    assert choose(client, first).status_code == 302
    assert can_log_in(app, user.email, NEW_PASSWORD)
    for link in (first, second):  # used, and issued before the password changed
        response = choose(client, link, "attacker's password 1")
        assert response.status_code == 400 and "no longer valid" in text(response)
    assert not can_log_in(app, user.email, "attacker's password 1")


def test_a_reset_token_is_not_a_verify_token_nor_another_users(app, world):
    from portal import tokens
    user, other = world.users["customer"], world.users["other"]
    with app.test_request_context():
        verify = tokens.make_token("verify", user)
        theirs = tokens.make_token("reset", other)
    client = app.test_client()
    assert choose(client, f"/reset/{verify}").status_code == 400
    swapped = theirs.split(".")
    mine = reset_link(app, client, user.email).rsplit("/", 1)[1].split(".")
    assert choose(client, "/reset/" + ".".join([mine[0], swapped[1], swapped[2]])).status_code == 400
    assert choose(client, "/reset/" + ".".join([swapped[0], mine[1], mine[2]])).status_code == 400
    assert can_log_in(app, user.email, PASSWORD) and can_log_in(app, other.email, PASSWORD)


def test_expired_reset_link_is_refused(app, world, monkeypatch):
    import time

    from itsdangerous import TimestampSigner

    from portal import tokens
    user = world.users["customer"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - tokens.RESET_MAX_AGE - 5)
    with app.test_request_context():
        token = tokens.make_token("reset", user)
    monkeypatch.undo()
    client = app.test_client()
    assert client.get(f"/reset/{token}").status_code == 400
    response = choose(client, f"/reset/{token}")
    assert response.status_code == 400 and "expired" in text(response)
    assert can_log_in(app, user.email, PASSWORD)


def _neutral(html, email):
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', "", html.replace(email, "EMAIL"))


def test_reset_page_does_not_reveal_which_accounts_exist(app, world):
    with app.app_context():
        inactive = make_user(app, email="gone@example.test")
        User.update(is_active_account=False).where(User.id == inactive.id).execute()
    outbox = app.extensions["outbox"].sent
    answers = {}
    for email in (world.users["customer"].email, "nobody@example.test", "gone@example.test",
                  world.users["customer"].email.upper(), world.users["staff"].email):
        client = app.test_client()
        before = len(outbox)
        response = client.post("/reset", data={"email": email, "csrf_token": csrf_token(client, "/reset")})
        answers[email] = (response.status_code, _neutral(text(response), email.strip().lower()))
        sent = outbox[before:]
        assert all(m["to"] in (world.users["customer"].email, world.users["staff"].email) for m in sent), sent
        if email.lower() in ("nobody@example.test", "gone@example.test"):
            assert sent == []  # no mail to an address without an (active) account
    assert len(set(answers.values())) == 1, answers


def test_registration_does_not_reveal_which_accounts_exist(app, world):
    outbox = app.extensions["outbox"].sent
    answers = []
    for email in (world.users["customer"].email, "fresh@example.test"):
        client = app.test_client()
        response = client.post("/register", data={"email": email, "password": PASSWORD, "confirm": PASSWORD,
                                                   "name": "X", "csrf_token": csrf_token(client, "/register")})
        answers.append((response.status_code, _neutral(text(response), email)))
    assert answers[0] == answers[1]
    assert [m["to"] for m in outbox[-2:]] == [world.users["customer"].email, "fresh@example.test"]
    assert PASSWORD not in str(outbox)


def test_login_failures_look_the_same(app, world):
    with app.app_context():
        User.update(is_active_account=False).where(User.id == world.users["other"].id).execute()
    answers = set()
    for email, password in ((world.users["customer"].email, "wrong password!"), ("nobody@example.test", PASSWORD),
                            (world.users["other"].email, PASSWORD), ("not an email", PASSWORD)):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_token(client)})
        answers.add((response.status_code, "Email or password is not right." in text(response)))
    assert answers == {(401, True)}


# -- open redirects ------------------------------------------------------------------------------

TARGETS = ["//evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example", "https:evil.example",
           "https:/evil.example", "https://evil.example", "HTTPS://evil.example", "//evil.example@localhost",
           "%2F%2Fevil.example", "/%2F%2Fevil.example", " //evil.example", "\t//evil.example", "/\t/evil.example",
           "/\n/evil.example", "\x00//evil.example", "javascript:alert(1)", "java\tscript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "///evil.example", "/.//evil.example",
           "//\u3002evil.example", "http://localhost@evil.example/", "//localhost%2F@evil.example"]


def assert_local(location):
    """A browser following `location` (tabs and newlines dropped, \\ read as /) stays on this site."""
    normalised = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    resolved = urlsplit(urljoin("http://localhost/login", normalised))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location
    assert not normalised.lower().lstrip().startswith(("javascript:", "data:")), location


def test_login_next_never_leaves_the_site(app, world):
    from portal.web.extensions import limiter
    user = world.users["customer"]
    for target in TARGETS:
        limiter.reset()  # many logins in one test: the login limit is not under test here
        client = app.test_client()
        page = client.get("/login", query_string={"next": target})
        if "\x00" in target:  # refused outright
            assert page.status_code == 400
            continue
        kept = re.search(r'name="next" value="([^"]*)"', text(page)).group(1)
        assert_local(kept or "/")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 302, target
        assert_local(response.location)
        again = client.get("/login", query_string={"next": target})  # already logged in: redirects at once
        assert again.status_code == 302, target
        assert_local(again.location)


def test_staff_panel_next_never_leaves_the_site(app, world, client_for):
    staff = client_for(world.users["staff"])
    for target in TARGETS:
        response = post(staff, f"/staff/tickets/{world.ids['ticket_id']}/bug/unlink", {"next": target})
        assert response.status_code == (400 if "\x00" in target else 302), target
        if response.status_code == 302:
            assert_local(response.location)


@pytest.mark.parametrize("query", [{"_external": "1", "_scheme": "javascript"}, {"_external": "1"},
                                   {"_anchor": "x\"><script>"}, {"_method": "POST"}, {"next": "//evil.example"}])
def test_reseller_redirect_from_tickets_keeps_only_list_filters(app, world, client_for, query):
    reseller = client_for(world.users["reseller"])
    response = reseller.get("/tickets/", query_string=query | {"status": "open"})
    assert response.status_code == 302
    assert response.location.startswith("/partner/") and "#" not in response.location
    assert "status=open" in response.location and "evil" not in response.location
