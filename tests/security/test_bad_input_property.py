"""Property: no bad id, query value or form value sent to any route as any role is a 5xx.

Walks the URL map. Every rule argument gets the real object's id or a bad one (2^63, 2^64,
negative, non-ASCII digits, text). Every form is first filled with values that pass (those the
portal's own pages offer, read from their forms), then a few of the route's fields get a bad
value (huge numbers, 4,301-digit version parts, year 9999, long text), so the bad value is
reached behind the checks before it; a CSV upload may carry a field over csv's 131,072
character limit. One module database, the requests sent as each role.
"""
import datetime
import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.attack_helpers import overlong_values
from tests.security.test_authz_matrix import LIVE, _variants, fill

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("anonymous", "customer", "reseller", "staff", "admin")
_READ = re.compile(r"""(?:form|args)\.get\(["'](\w+)["']""")
_INPUT = re.compile(r'name="(\w+)"')


def input_names():
    """Every form or query name the portal reads or renders (so a new field is fuzzed too)."""
    names = set()
    for path in (ROOT / "portal").rglob("*.py"):
        names |= set(_READ.findall(path.read_text()))
    for path in (ROOT / "templates").rglob("*.html"):
        names |= set(_INPUT.findall(path.read_text()))
    return sorted(names - {"csrf_token", "viewport"})


NAMES = input_names()
BAD_IDS = [str(n) for n in (2**63, 2**64, 2**63 + 12345, 10**30, -(2**63) - 1)] + [
    "-1", "0", "²", "١٢", "１２", "1e3", "9" * 4301, "x", "%00"]
# the extremes come first: hypothesis tries a sampled_from's first elements and a one_of's first branch early
bad_id = st.one_of(st.sampled_from(BAD_IDS), st.integers(min_value=2**63).map(str),
                   st.integers(max_value=-1).map(str), st.text(min_size=1, max_size=12))
bad_value = st.one_of(
    st.sampled_from(BAD_IDS + ["9999-12-31", "9999-12-30", "0001-01-01", "1.2.3." + "9" * 4301,
                               "8.1.0." + "1" * 4000, "x" * 5000, "", " ", "\u202e\U0001f600"]),
    st.dates().map(datetime.date.isoformat), st.integers().map(str), st.text(max_size=40))
_KINDS = ((re.compile(r"\d{4}-\d\d-\d\d"), st.one_of(st.sampled_from(["9999-12-31", "0001-01-01", "10000-01-01"]),
                                                   st.dates().map(datetime.date.isoformat))),
          (re.compile(r"\d+"), bad_id),
          (re.compile(r"\d+(\.\d+){3}"), st.sampled_from(["1.2.3." + "9" * 4301, "8.1.0." + "1" * 4000,
                                                         "99999999999999999999.0.0.0"])))


def bad_for(name, good):
    """A bad value of the field's own kind (a date, an id, a version) or of any kind."""
    kinds = [bad for shape, bad in _KINDS if all(shape.fullmatch(v) for v in good.get(name, ["x"]))]
    return st.one_of(*kinds, bad_value)


CSV_HEAD = "order_number,delivery_email,license_key,license_type,purchased_on,expires_on\n"
csv_file = st.one_of(
    st.just(CSV_HEAD + "A-1,a@example.test," + "K" * 131_073 + ",PRO,2026-01-01,\n"),
    st.just(CSV_HEAD + "A-2,a@example.test,KEY-2,PRO,2026-01-01," + "9" * 4301 + "\n"),
    st.just(CSV_HEAD + "A-3,a@example.test,KEY-3,PRO,0001-01-01,9999-12-31\n"),
    st.text(max_size=200).map(lambda t: CSV_HEAD + t))


class _Forms(HTMLParser):
    """(method, action) → {name: values offered} for every form and htmx control of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.form, self.select = defaultdict(lambda: defaultdict(set)), None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        target = (("POST", a["hx-post"]) if a.get("hx-post") else ("GET", a["hx-get"]) if a.get("hx-get")
                  else None)
        if tag == "form":
            self.form = target or ((a.get("method") or "get").upper(), a.get("action") or "")
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name and name != "csrf_token":
            key = self.form if self.form and not target else target
            if key:
                values = self.found[key][name]
                if a.get("value"):
                    values.add(a["value"])
                self.select = values if tag == "select" else None
        if tag == "option" and self.select is not None and a.get("value"):
            self.select.add(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        if tag == "select":
            self.select = None


def crawl_forms(world, clients):
    """endpoint → {name: values} from the forms on every page, as staff, admin and the customer."""
    adapter, forms = world.app.url_map.bind("localhost"), defaultdict(lambda: defaultdict(set))
    fresh = world.fresh("ticket")  # no session yet: its pages show the scheduling form
    for rule, method in sorted(LIVE):
        if method != "GET" or "<token>" in rule:
            continue
        for params in (world.params, dict(world.params) | fresh):
            for variant in _variants(rule):
                for role in ("anonymous", "customer", "staff", "admin"):
                    response = clients[role].get(fill(rule, params, variant))
                    if response.mimetype != "text/html":
                        continue
                    parser, page = _Forms(), fill(rule, params, variant)
                    parser.feed(response.get_data(as_text=True))
                    for (verb, action), names in parser.found.items():
                        try:  # a form without an action posts to its own page
                            endpoint, _ = adapter.match(urlsplit(action).path or page, method=verb)
                        except Exception:  # noqa: BLE001 - a link outside the URL map
                            continue
                        for name, values in names.items():
                            forms[endpoint][name] |= values
    return forms


def good_values(world, forms):
    """Values that pass each field's own check: what the pages offer, and text where they offer none."""
    monday = datetime.date.today() + datetime.timedelta(days=7)
    monday -= datetime.timedelta(days=monday.weekday())
    good = {"agent": {str(world.agent.id)}, "product": {"Remote Utilities"}, "version": {"8.1.0.3"},
            "category": {world.params["slug"]}, "accept_policy": {"1"}, "starts_time": {"16:45"},  # inside hours, and past midnight in UTC
            "starts_on": {monday.isoformat()}, "email": {"new-user@example.test"},
            "subject": {"Viewer cannot connect"}, "title": {"A bug title"},
            "body": {"The Viewer does not connect to the Host since the update."}}
    for names in forms.values():
        for name, values in names.items():
            good.setdefault(name, set()).update(v for v in values if len(v) < 200)
    return {name: sorted(values) or ["1"] for name, values in good.items()}


@pytest.fixture(scope="module")
def fuzz(authz_world):
    """The module's world, a client per role (the owner is the customer, the session's agent the staff)."""
    world = authz_world
    users = {"customer": world.owner, "reseller": world.users["reseller"], "staff": world.agent,
             "admin": world.users["admin"]}
    clients = {"anonymous": world.app.test_client()} | {r: world.login_as(u) for r, u in users.items()}
    tokens = {role: world.csrf(client, role) for role, client in clients.items()}
    forms = crawl_forms(world, clients)
    endpoints = {rule.rule: rule.endpoint for rule in world.app.url_map.iter_rules()}
    yield world, clients, tokens, forms, good_values(world, forms), endpoints
    with world.app.app_context():  # what the fuzzing stored fits its columns (SQLite would not say)
        assert overlong_values() == []


def send(world, clients, tokens, rule, method, url, values, upload):
    """The request as each role; the first 5xx fails the property."""
    for role in ROLES:
        client = world.fresh_client(role) if rule == "/logout" else clients[role]
        if method == "GET":
            response = client.get(url, query_string=values)
        else:
            form = dict(values, csrf_token=world.csrf(client, role) if rule == "/logout" else tokens[role])
            if upload is not None:
                form["file"] = (io.BytesIO(upload.encode()), "orders.csv")
            response = client.open(url, method=method, data=form)
        assert response.status_code < 500, (role, method, url, response.status_code)


@pytest.mark.parametrize("rule,method", [pytest.param(r, m, id=f"{m} {r}") for r, m in sorted(LIVE)])
@settings(max_examples=3, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_bad_input_is_a_server_error(fuzz, rule, method, data):
    """One bad thing at a time (each URL argument, then each of the route's fields), the rest good."""
    world, clients, tokens, forms, good, endpoints = fuzz
    args = [a for a in re.findall(r"<(?:[^:<>]+:)?(\w+)>", rule) if a in world.params and a != "token"]
    variant = data.draw(st.sampled_from(_variants(rule)), label="variant")
    own = sorted(forms.get(endpoints[rule], {}))
    values = {name: data.draw(st.sampled_from(good.get(name, ["1"])), label=name) for name in own}
    upload = data.draw(st.none() | csv_file, label="csv") if "file" in own else None
    real = dict(world.params)
    for arg in args:
        url = fill(rule, real | {arg: quote(data.draw(bad_id, label=arg), safe="")}, variant)
        send(world, clients, tokens, rule, method, url, values, upload)
    url = fill(rule, real, variant)
    for name in own or [None]:
        bad = ({name: data.draw(bad_for(name, good), label=f"bad {name}")} if name
               else data.draw(st.dictionaries(st.sampled_from(NAMES), bad_value, max_size=6), label="query"))
        send(world, clients, tokens, rule, method, url, values | bad, upload)
