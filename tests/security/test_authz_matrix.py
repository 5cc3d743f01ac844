"""Every route of the URL map × every role, answered as tests/security/authz_table.py says."""
import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import app_env
from tests.security.authz_table import AUTHZ, RESELLER, ROLES

ANY = re.compile(r"<any\(([^)]*)\):(\w+)>")
PARAM = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
ALWAYS = ("GET", "POST")  # also listed when a rule does not take them: the answer must still be right


def rule_methods(app):
    """(rule, method) for every rule but static: the methods it takes (no HEAD/OPTIONS), GET and POST."""
    pairs = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in (rule.methods - {"HEAD", "OPTIONS"}) | set(ALWAYS):
            pairs.add((rule.rule, method))
    return pairs


def _collect():
    """The URL map of an app built the way production builds it (the bound database is restored)."""
    from portal import db as database
    from portal.web import create_app
    saved = database.db.obj
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True}, env=app_env(f"sqlite:///{tmp}/collect.db", Path(tmp)))
    if saved is not None:
        database.db.initialize(saved)
    return rule_methods(app)


LIVE = _collect()


def _variants(rule):
    match = ANY.search(rule)
    return [v.strip() for v in match.group(1).split(",")] if match else [None]


CASES = [pytest.param(rule, method, variant, role,
                      id=f"{method} {rule}{f' [{variant}]' if variant else ''} as {role}")
         for rule, method in sorted(LIVE | set(AUTHZ))
         for variant in _variants(rule)
         for role in ROLES]


def fill(rule, params, variant):
    """A concrete URL for a rule: the owner's objects, the any() variant, a valid signed token."""
    url = ANY.sub(variant or "", rule)
    token = (params["reset_token"] if rule.startswith("/reset/")
             else params["invite_token"] if rule.startswith("/partner/invite/") else params["verify_token"])
    return PARAM.sub(lambda m: str(token if m.group(1) == "token" else params[m.group(1)]), url)


def test_the_table_and_the_url_map_name_the_same_routes(authz_world):
    live = rule_methods(authz_world.app)
    assert sorted(live - set(AUTHZ)) == [], "routes missing from authz_table.AUTHZ"
    assert sorted(set(AUTHZ) - live) == [], "table entries without a route"


@pytest.mark.parametrize("rule,method,variant,role", CASES)
def test_answer(authz_world, rule, method, variant, role):
    assert (rule, method) in LIVE, "the table lists a route the app does not have"
    entry = AUTHZ.get((rule, method))
    assert entry is not None, f"{method} {rule} is missing from tests/security/authz_table.py"
    world, params = authz_world, dict(authz_world.params)
    client = world.fresh_client(role) if entry.fresh == "account" else world.client(role)
    if entry.fresh and entry.fresh != "account":
        params |= world.fresh(entry.fresh)
    url = fill(rule, params, variant)
    if method == "GET":
        response = client.get(url)
    else:
        data = {name: value.format(**params) for name, value in entry.data.items()}
        data["csrf_token"] = world.csrf(client, role)
        response = client.open(url, method=method, data=data)
    assert response.status_code == entry.expect[role], (
        f"{method} {url} as {role}: {response.status_code}, expected {entry.expect[role]}\n"
        f"{response.get_data(as_text=True)[:400]}")
    location = response.headers.get("Location", "")
    assert not location.startswith(("//", "http://evil", "https://")), location
    if role == "anonymous" and response.status_code == 302 and not rule.startswith(("/forum/p/", "/verify/")):
        assert location.startswith("/login"), f"anonymous {method} {url} went to {location}, not to /login"


CLOSED_AREAS = {"/staff": ("staff", "admin"), "/admin": ("admin",), "/forum": tuple(r for r in ROLES if r not in RESELLER)}


@pytest.mark.parametrize("role", ROLES)
def test_addresses_outside_the_url_map_in_a_closed_area_are_404(authz_world, role):
    # "/staff" (no slash) would be a redirect, and a made-up path a 404: neither may differ for outsiders
    client, wrong = authz_world.client(role), []
    for area, members in CLOSED_AREAS.items():
        if role in members:
            continue
        for path in (area, f"{area}/no-such-page", f"{area}/tickets/1/no-such-action"):
            for method in ("GET", "POST", "PUT", "DELETE"):
                headers = {"X-CSRFToken": authz_world.csrf(client, role)} if method != "GET" else {}
                status = client.open(path, method=method, headers=headers).status_code
                if status != 404:
                    wrong.append(f"{method} {path}: {status}")
    assert wrong == []
