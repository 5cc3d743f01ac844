"""SQL metacharacters, arrays, repeated keys, NUL bytes, huge numbers and unicode in every query
parameter of every GET route (read from the URL map): never a 500, never more data; filters
come only from allowlists (unknown values ignored or 400)."""
import re

import pytest

from portal.models import Thread
from tests.security.attack_helpers import (client_for, file_ticket, make_user, rule_url, start_thread, text,  # noqa: F401
                                           world)

NAMES = ["status", "product", "page", "level", "assignee", "breached", "after", "q", "action", "canned",
         "category", "next", "subject", "body", "version", "submit_token", "sort", "order", "id", "role",
         "user_id", "_scheme", "_external", "_anchor", "_method"]
# parameters each view reads (from portal/web/*.py); each is also fuzzed on its own
READS = {"tickets.index": ["status", "product", "page"], "partner.home": ["status", "product", "page"],
         "tickets.new": ["product", "version", "subject", "body"],
         "tickets.check": ["product", "version", "subject", "body", "submit_token"],
         "tickets.similar": ["q", "subject"], "forum.index": ["page"], "forum.category": ["page"],
         "forum.thread": ["page"], "forum.search": ["q", "page"], "forum.new_thread": ["category"],
         "staff.queue": ["level", "product", "assignee", "breached", "after"], "staff.ticket": ["canned"],
         "staff.bug_list": ["status", "page"], "staff.audit_log": ["action", "page"],
         "admin.users": ["page"], "auth.login": ["next"], "partner.licenses": ["q", "page"]}
VALUES = ["' OR 1=1--", "1 UNION SELECT password_hash FROM \"user\"--", "a\x00b", "%00", "%", "_", "\\",
          "x" * 5000, "ünï 名前 \U0001f600 \u202egnp.exe", "99999999999999999999999", "-5", "0",
          "{{7*7}}${7*7}", "ticket~1~2026-01-01T00:00:00~2026-01-01T00:00:00~1 OR 1=1"]
HTMX_VALUES = VALUES[:3] + VALUES[7:10]
OTHERS_SUBJECT = "OTHER-CUSTOMER-SUBJECT-7f3a"
HIDDEN_TITLE = "HIDDEN-THREAD-TITLE-91c2"
NEVER = [OTHERS_SUBJECT, HIDDEN_TITLE, "$argon2", "s3cret-Pa55", "Traceback"]


def get_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    assert len(rules) >= 25
    return sorted(rules, key=lambda r: r.rule)


def roles_for(endpoint):
    if endpoint.startswith("admin"):
        return ["admin"]
    if endpoint.startswith(("staff.", "staff.")):
        return ["staff"]
    if endpoint in ("partner.licenses", "partner.license_detail"):  # policy 3.1: a partner's members
        return ["manager"]
    if endpoint in ("partner.home", "tickets.index", "tickets.new", "tickets.detail"):
        return ["customer", "reseller"] if endpoint != "partner.home" else ["reseller"]
    if endpoint.startswith(("forum.", "auth.", "main.")):
        return [None, "customer"]
    return ["customer"]


@pytest.fixture
def fuzz_world(app, world):
    other = make_user(app, level="PLUS")
    file_ticket(app, other, subject=OTHERS_SUBJECT)
    hidden = start_thread(app, other, title=HIDDEN_TITLE)
    with app.app_context():
        Thread.update(hidden=True).where(Thread.id == hidden.id).execute()
    world.ids["hidden_thread"] = hidden.id
    file_ticket(app, world.users["reseller"], subject="Reseller ticket subject")
    return world


def _check(response, where, role):
    assert 200 <= response.status_code < 500, (where, response.status_code)  # "0 open" is no status
    body = text(response)
    for secret in NEVER:
        if role in ("staff", "admin") and secret in (OTHERS_SUBJECT, HIDDEN_TITLE):
            continue  # staff see every ticket and hidden threads; admins also the outbox (/admin/mail)
        assert secret not in body, (where, secret)
    location = response.headers.get("Location", "")
    assert not re.match(r"^(\w+:|//|/\\)", location) or location.startswith("http://localhost/"), (where, location)


@pytest.mark.slow
def test_bad_values_in_every_query_parameter_of_every_get_route(app, fuzz_world, client_for):
    clients = {None: app.test_client()}
    for role in ("customer", "reseller", "staff", "admin", "manager"):
        clients[role] = client_for(fuzz_world.users[role])
    for rule in get_rules(app):
        url = rule_url(rule, fuzz_world.ids)
        for role in roles_for(rule.endpoint):
            client = clients[role]
            for value in VALUES:  # every name at once, then each name the view reads on its own
                _check(client.get(url, query_string={n: value for n in NAMES}), (url, "all", value), role)
                for name in READS.get(rule.endpoint, []):
                    _check(client.get(url, query_string={name: value}), (url, name, value), role)
                    if value in HTMX_VALUES:  # the fragment paths too, with the likeliest breakers
                        _check(client.get(url, query_string={name: value}, headers={"HX-Request": "true"}),
                               (url, name, value, "htmx"), role)
            for name in NAMES:  # arrays and repeated keys
                _check(client.get(url, query_string=[(f"{name}[]", "a"), (f"{name}[]", "' OR 1=1--")]),
                       (url, f"{name}[]"), role)
                _check(client.get(url, query_string=[(name, "1"), (name, "' OR 1=1--"), (name, "")]),
                       (url, f"{name} repeated"), role)


def _ids(html, attr):
    return re.findall(rf'{attr}="(\d+)"', html)


def test_ticket_list_filters_are_allowlisted(app, fuzz_world, client_for):
    client = client_for(fuzz_world.users["customer"])
    baseline = _ids(text(client.get("/tickets/")), "data-ticket")
    assert baseline == [str(fuzz_world.ids["ticket_id"])]
    for query in ({"status": "' OR 1=1--"}, {"status": "open' OR '1'='1"}, {"product": "x' OR 1=1--"},
                  {"sort": "password_hash"}, {"order": "requester_id desc"}, [("status", "open"), ("status", "closed")],
                  {"status[]": "closed"}, {"page": "0"}, {"page": "-1"}):
        response = client.get("/tickets/", query_string=query)
        assert response.status_code == 200, query
        assert _ids(text(response), "data-ticket") == baseline, query
    for wanted, expected in (("open", baseline), ("closed", [])):  # an allowed filter answers a real 200
        response = client.get("/tickets/", query_string={"status": wanted})
        assert response.status_code == 200 and _ids(text(response), "data-ticket") == expected
        assert re.search(rf'<option (?=[^>]*\bselected\b)[^>]*\bvalue="{wanted}"', text(response)), wanted


def test_staff_queue_filters_outside_the_allowlist_answer_400(app, fuzz_world, client_for):
    client = client_for(fuzz_world.users["staff"])
    for name, value in (("level", "PRO' OR 1=1--"), ("product", "x' OR 1=1--"), ("assignee", "' OR 1=1--"),
                        ("partner", "1 OR 1=1"), ("partner", "999999"), ("after", "ticket~1~x~y~1 OR 1=1")):
        response = client.get("/staff/queue", query_string={name: value})
        assert response.status_code == 400, (name, value)
        assert 'data-request-id="' not in text(response)
        assert 'class="error"' in text(response)


@pytest.mark.parametrize("url,name", [("/staff/audit", "action"), ("/staff/bugs", "status")])
def test_staff_list_filters_unknown_values_are_ignored(app, fuzz_world, client_for, url, name):
    client = client_for(fuzz_world.users["staff"])
    baseline = text(client.get(url))
    attr = "data-bug-id" if "bugs" in url else "data-action"
    for value in ("' OR 1=1--", "open' --", "x" * 300):
        response = client.get(url, query_string={name: value})
        assert response.status_code == 200
        assert re.findall(rf'{attr}="([^"]+)"', text(response)) == re.findall(rf'{attr}="([^"]+)"', baseline)


def test_forum_search_metacharacters_never_find_hidden_threads(app, fuzz_world):
    client = app.test_client()
    for query in ('"', "*", "NEAR(a b)", "title:HIDDEN", "' OR 1=1--", "HIDDEN* OR *", "a\x00b",
                  "HIDDEN-THREAD-TITLE-91c2", "hidden thread title 91c2", "-x", "^", "(", ")"):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get("/forum/search", query_string={"q": query}, headers=headers)
            assert response.status_code == (400 if "\x00" in query else 200), query
            assert f'/forum/t/{fuzz_world.ids["hidden_thread"]}"' not in text(response), query


def test_nul_bytes_in_form_fields_are_refused_before_anything_is_written(app, fuzz_world, client_for):
    """PostgreSQL cannot store a NUL: such a form is a 400 on either database, never a 500."""
    from tests.security.attack_helpers import post
    from tests.security.test_attack_csrf import snapshot
    customer, staff = client_for(fuzz_world.users["customer"]), client_for(fuzz_world.users["staff"])
    attempts = [(customer, f"/tickets/{fuzz_world.ids['ticket_id']}/reply", {"body": "Hello\x00there"}),
                (customer, "/forum/new", {"category": "general", "title": "Nul\x00title", "body": "Body text here"}),
                (customer, f"/forum/t/{fuzz_world.ids['thread_id']}/reply", {"body": "a\x00b is my question"}),
                (customer, "/tickets/new", {"product": "Remote Utilities", "subject": "Sub\x00ject",
                                            "body": "x" * 20, "accept_policy": "1"}),
                (staff, f"/staff/tickets/{fuzz_world.ids['ticket_id']}/note", {"note": "n\x00"}),
                (staff, "/staff/bugs", {"title": "Bug\x00", "workaround": "w"}),
                (app.test_client(), "/register", {"email": "nul@example.test", "password": "p" * 12,
                                                  "confirm": "p" * 12, "name": "N\x00"}),
                (app.test_client(), "/login", {"email": "a\x00@example.test", "password": "x"})]
    with app.app_context():
        before = snapshot()
    for client, url, data in attempts:
        assert post(client, url, data).status_code == 400, url
    with app.app_context():
        assert snapshot() == before
