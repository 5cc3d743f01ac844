"""CSRF missing or forged on every POST route (read from the URL map), htmx included, and
cross-origin state changes: refused before anything is written or mailed."""
import pytest

from portal.models import ALL_MODELS
from tests.factories import csrf_token
from tests.security.attack_helpers import HX, client_for, post, rule_url, world  # noqa: F401

ANONYMOUS = {"auth.login", "auth.register", "auth.reset_request", "auth.reset_password", "auth.verify",
             "partner.accept_invite"}
ADMIN = ("admin.", "admin.", "staff.canned_edit")
STAFF = ("staff.", "staff.", "forum.lock", "forum.hide_thread", "forum.move", "forum.hide_post",
         "forum.accept")
CSRF_PAGE = "security token was missing or wrong"
# the routes exempt from CSRF, each with why: RFC 8058 one-click unsubscribe is POSTed by a mail
# client without a session, so it cannot carry a token; its signed URL token is the authorisation
# (tests/web/test_notifications.py: tampered tokens refused). Checked below to refuse bad tokens.
CSRF_EXEMPT = {"account.unsubscribe": "RFC 8058 one-click: the signed token in the URL authorises"}

# a plausible body for each route, so only the token decides
FORMS = {"auth.login": {"email": "a@b.test", "password": "x" * 12}, "tickets.reply": {"body": "Hello there"},
         "forum.reply": {"body": "A reply that is long enough"}, "staff.reply": {"body": "Hi"},
         "staff.note": {"note": "note"}, "account.add_license": {"key": "RUPRO-1"},
         "forum.new_thread": {"category": "general", "title": "Some title here", "body": "Some body text"}}


def post_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) >= 30  # the map was read, not an empty list
    return sorted(rules, key=lambda r: r.rule)


def role_for(endpoint):
    """The role that could otherwise use a route."""
    if endpoint in ANONYMOUS:
        return None
    if endpoint.startswith(ADMIN):
        return "admin"
    if endpoint.startswith(STAFF):
        return "staff"
    if endpoint.startswith("partner."):  # policy 3.1: managing a partner's members
        return "manager"
    return "customer"


def snapshot():
    """Every row of every table (the seeded world is small)."""
    def plain(value):
        return bytes(value).hex() if isinstance(value, (bytes, memoryview)) else str(value)
    return {m.__name__: sorted(tuple(sorted((k, plain(v)) for k, v in row.items()))
                               for row in m.select().dicts()) for m in ALL_MODELS}


def _clients(app, world, client_for):
    cache = {}

    def get(endpoint):
        role = role_for(endpoint)
        key = endpoint if endpoint == "auth.logout" else role  # logging out must not end the shared client
        if key not in cache:
            cache[key] = app.test_client() if role is None else client_for(world.users[role])
        return cache[key]
    return get


def test_every_post_route_refuses_missing_or_forged_csrf(app, world, client_for):
    clients, outbox = _clients(app, world, client_for), app.extensions["outbox"].sent
    exempt = [r.endpoint for r in post_rules(app) if r.endpoint in CSRF_EXEMPT]
    assert exempt == list(CSRF_EXEMPT)  # the list names routes that exist
    for rule in post_rules(app):
        client = clients(rule.endpoint)
        url, form = rule_url(rule, world.ids), FORMS.get(rule.endpoint, {"x": "1"})
        if rule.endpoint in CSRF_EXEMPT:  # no CSRF check, but a made-up token changes nothing
            with app.app_context():
                before = snapshot()
            assert client.post(url, data=form).status_code == 400, rule.rule
            with app.app_context():
                assert snapshot() == before, rule.rule
            continue
        csrf_token(client)  # the session has a token: only the request's copy is missing or wrong
        with app.app_context():
            mails = len(outbox)  # reading the memory outbox delivers what the world queued
            before = snapshot()
        attempts = {
            "missing": client.post(url, data=form),
            "forged": client.post(url, data=form | {"csrf_token": "IjEyMzQ1Ng.forged.token"}),
            "htmx missing": client.post(url, data=form, headers=HX),
            "htmx forged": client.post(url, data=form, headers=HX | {"X-CSRFToken": "forged"}),
            "other session's": client.post(url, data=form | {"csrf_token": csrf_token(app.test_client())}),
        }
        for how, response in attempts.items():
            assert response.status_code == 400, (rule.rule, how, response.status_code)
            assert CSRF_PAGE in response.get_data(as_text=True), (rule.rule, how)
        with app.app_context():
            assert snapshot() == before, rule.rule
        assert len(outbox) == mails, rule.rule
        # control: with the right token the same request gets past the CSRF check
        good = post(client, url, form)
        assert CSRF_PAGE not in good.get_data(as_text=True), rule.rule


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "HX-Request": "true"},
], ids=["origin", "origin-suffix", "origin-null", "sec-fetch-site", "htmx"])
def test_every_post_route_refuses_cross_origin_requests(app, world, client_for, headers):
    clients, outbox = _clients(app, world, client_for), app.extensions["outbox"].sent
    for rule in post_rules(app):
        client = clients(rule.endpoint)
        url, form = rule_url(rule, world.ids), FORMS.get(rule.endpoint, {"x": "1"})
        token = csrf_token(client)
        with app.app_context():
            mails = len(outbox)  # reading the memory outbox delivers what the world queued
            before = snapshot()
        response = client.post(url, data=form | {"csrf_token": token},
                               headers=headers | {"X-CSRFToken": token})
        assert response.status_code == 403, (rule.rule, response.status_code)
        with app.app_context():
            assert snapshot() == before, rule.rule
        assert len(outbox) == mails, rule.rule


def test_same_origin_post_with_token_is_accepted(app, world, client_for):
    client = client_for(world.users["customer"])
    response = post(client, f"/tickets/{world.ids['ticket_id']}/reply", {"body": "Same-origin reply"},
                    headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302
