"""/partner/licenses: the licenses a partner bought for resale, for every member of it and nobody
else (policy 3.1): masked keys, states at the 30-day boundary, open tickets, search, paging."""
import re

import pytest

from portal.policy.partners import EXPIRING_DAYS
from portal.services import partner_licenses
from portal.services.errors import NotFound
from tests.factories import counting_queries
from tests.partners.sold import DAY, about, fixed_day, sold  # noqa: F401  (fixed_day is a fixture)
from tests.policy._util import custom_policy

KEY = "RUPRO-8H2JD-3MZ7X-9ZT3"
HX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def listed(response):
    """The license ids of a page, in order."""
    return [int(i) for i in re.findall(r'<tr data-license="(\d+)"', text(response))]


def row_of(response, lic):
    match = re.search(rf'<tr data-license="{lic.id}".*?</tr>', text(response), re.S)
    assert match, f"license {lic.id} is not listed"
    return match.group(0)


@pytest.mark.parametrize("who", ["manager", "member"])
def test_policy_3_1_every_member_sees_the_partners_licenses_and_no_others(app, world, client_for, who):
    ours = sold(app, world.a, "SITE", key=KEY, email="it@fabrikam.example")
    theirs = sold(app, world.b, "PRO", email="office@wingtip.example")
    own_order = sold(app, None, "PLUS")  # an end customer's own order: no partner
    page = client_for(getattr(world, who)).get("/partner/licenses")
    assert page.status_code == 200
    assert listed(page) == [ours.id]
    row = row_of(page, ours)
    assert "SITE" in row and "it@fabrikam.example" in row
    assert f'href="/tickets/new?license={ours.id}"' in row  # "file a ticket for this license"
    body = text(page)
    assert "office@wingtip.example" not in body and theirs.key[-4:] not in body and own_order.key[-4:] not in body


def test_policy_3_1_the_key_is_masked_but_for_its_last_block(app, world, client_for):
    lic = sold(app, world.a, key=KEY)
    client = client_for(world.member)
    for url in ("/partner/licenses", f"/partner/licenses/{lic.id}"):
        body = text(client.get(url))
        assert "...-9ZT3" in body, url
        for hidden in ("RUPRO-8H2JD", "8H2JD", "3MZ7X"):
            assert hidden not in body, (url, hidden)


@pytest.mark.clock
def test_policy_3_1_license_states_at_the_30_day_boundary(app, world, client_for, fixed_day):
    assert EXPIRING_DAYS == 30
    cases = {"current": [sold(app, world.a, expires_in=31), sold(app, world.a, expires_in=None)],
             "expiring": [sold(app, world.a, expires_in=30), sold(app, world.a, expires_in=1)],
             "expired": [sold(app, world.a, expires_in=0), sold(app, world.a, expires_in=-400)],
             "not_started": [sold(app, world.a, bought_ago=-3)]}
    page = client_for(world.manager).get("/partner/licenses")
    for state, licenses in cases.items():
        for lic in licenses:
            assert f'data-state="{state}"' in row_of(page, lic), (state, lic.expires_on, DAY)
    expiring = row_of(page, cases["expiring"][0])
    assert "expiring within 30 days" in expiring and "Thu 24 Dec 2026" in expiring  # DAY + 30
    assert "never" in row_of(page, cases["current"][1])


def test_the_open_tickets_column_counts_open_tickets_about_the_license(app, world, client_for):
    lic, other = sold(app, world.a), sold(app, world.a)
    about(app, world.member, lic, world.a)
    about(app, world.manager, lic, world.a, status="waiting")
    about(app, world.member, lic, world.a, status="closed")
    about(app, world.member, other, world.a, status="solved")
    page = client_for(world.member).get("/partner/licenses")
    assert 'data-open-tickets="2"' in row_of(page, lic)
    assert 'data-open-tickets="0"' in row_of(page, other)


def test_policy_3_1_with_visibility_own_a_member_counts_only_their_own_tickets(app, world, client_for):
    lic = sold(app, world.a)
    mine = about(app, world.member, lic, world.a, subject="Mine about the license")
    about(app, world.manager, lic, world.a, subject="The manager's about the license")
    original = app.extensions["runtime"].policy
    app.extensions["runtime"].policy = custom_policy(partners={"visibility": "own"})
    try:
        member = client_for(world.member)
        assert 'data-open-tickets="1"' in row_of(member.get("/partner/licenses"), lic)
        detail = text(member.get(f"/partner/licenses/{lic.id}"))
        assert f'data-ticket="{mine.id}"' in detail and "The manager's about the license" not in detail
    finally:
        app.extensions["runtime"].policy = original
    assert 'data-open-tickets="2"' in row_of(client_for(world.member).get("/partner/licenses"), lic)  # "all"


@pytest.mark.parametrize("who", ["manager", "member"])
def test_policy_3_1_the_license_page_shows_it_and_its_open_tickets(app, world, client_for, who):
    lic = sold(app, world.a, "SITE", key=KEY, email="it@fabrikam.example")
    ticket = about(app, world.member, lic, world.a, subject="Relay drops after failover")
    about(app, world.member, lic, world.a, subject="An old closed one", status="closed")
    page = client_for(getattr(world, who)).get(f"/partner/licenses/{lic.id}")
    body = text(page)
    assert page.status_code == 200
    assert "it@fabrikam.example" in body and f'data-ticket="{ticket.id}"' in body
    assert "An old closed one" not in body
    assert f'href="/tickets/new?license={lic.id}"' in body


def test_policy_3_1_another_partners_license_is_404_by_id(app, world, client_for, make_user):
    ours = sold(app, world.a)
    outsiders = {"manager of B": world.manager_b, "reseller of no partner": make_user(role="reseller"),
                 "customer": make_user(level="PRO"), "staff": make_user(role="staff"),
                 "admin": make_user(role="admin")}
    for who, user in outsiders.items():
        client = client_for(user)
        assert client.get(f"/partner/licenses/{ours.id}").status_code == 404, who
        assert client.get(f"/partner/licenses/{ours.id}", headers=HX).status_code == 404, who
    assert client_for(world.manager_b).get("/partner/licenses/999999").status_code == 404
    mine = client_for(world.manager_b).get("/partner/licenses")
    assert mine.status_code == 200 and listed(mine) == []


@pytest.mark.parametrize("who", ["reseller", "PRO", "staff", "admin"])
def test_the_licenses_page_is_404_for_anyone_but_a_partners_members(world, client_for, make_user, who):
    user = make_user(role=who) if who != "PRO" else make_user(level="PRO")
    client = client_for(user)
    assert client.get("/partner/licenses").status_code == 404
    assert client.get("/partner/licenses?q=RU", headers=HX).status_code == 404


def test_the_service_refuses_another_partners_license(app, world):
    theirs = sold(app, world.b)
    with app.app_context():
        with pytest.raises(NotFound):
            partner_licenses.license_for(world.manager, world.a, theirs.id)
        assert partner_licenses.license_for(world.manager_b, world.b, theirs.id).id == theirs.id


def test_search_by_key_customer_or_email(app, world, client_for, make_user):
    holder = make_user(level="FREE", display_name="Fabrikam IT desk")
    fabrikam = sold(app, world.a, "SITE", key=KEY, email="it@fabrikam.example", user=holder)
    tailspin = sold(app, world.a, "PRO", email="support@tailspin.example")
    sold(app, world.b, "PRO", email="it@fabrikam-other.example")  # another partner's never matches
    client = client_for(world.member)
    for words, expected in (("3mzx", []), ("3MZ7X", [fabrikam.id]), ("9zt3", [fabrikam.id]),
                            ("tailspin", [tailspin.id]), ("FABRIKAM", [fabrikam.id]),
                            ("IT desk", [fabrikam.id]), ("example", [tailspin.id, fabrikam.id]),
                            ("%", []), ("_", [])):
        assert sorted(listed(client.get("/partner/licenses", query_string={"q": words}))) == sorted(expected), words
    assert "Fabrikam IT desk" in row_of(client.get("/partner/licenses"), fabrikam)
    assert holder.email not in text(client.get("/partner/licenses"))  # the account's address stays private
    nothing = text(client.get("/partner/licenses?q=nobody"))
    assert "No license matches “nobody”" in nothing and 'value="nobody"' in nothing


def test_search_answers_htmx_with_the_results_block_and_works_without_it(app, world, client_for):
    lic = sold(app, world.a, key=KEY)
    client = client_for(world.member)
    fragment = client.get("/partner/licenses?q=9ZT3", headers=HX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers.get("Vary", "")
    body = text(fragment)
    assert body.lstrip().startswith('<div id="license-results"') and "<html" not in body
    assert listed(fragment) == [lic.id]
    plain = text(client.get("/partner/licenses?q=9ZT3"))
    assert "<html" in plain and 'role="search"' in plain and 'name="q"' in plain
    assert 'name="csrf_token"' not in plain.split('role="search"', 1)[1].split("</form>", 1)[0]  # a GET form
    too_long = client.get("/partner/licenses", query_string={"q": "x" * 500})
    assert too_long.status_code == 200 and "100 characters" in text(too_long) and listed(too_long) == [lic.id]


def test_paging_keeps_the_search(app, world, client_for):
    size = partner_licenses.PAGE_SIZE
    made = [sold(app, world.a, email=f"desk{n}@alpine.example", bought_ago=n + 1) for n in range(size + 2)]
    client = client_for(world.manager)
    first = client.get("/partner/licenses?q=alpine")
    assert listed(first) == [lic.id for lic in made[:size]]  # newest purchase first
    assert 'href="/partner/licenses?page=2&amp;q=alpine"' in text(first)
    second = client.get("/partner/licenses?page=2&q=alpine")
    assert listed(second) == [lic.id for lic in made[size:]] and 'rel="next"' not in text(second)
    assert listed(client.get("/partner/licenses?page=99")) == []


def test_the_licenses_page_runs_a_fixed_number_of_queries(app, world, client_for):
    client = client_for(world.member)

    def queries_for_page():
        with counting_queries() as seen:
            assert client.get("/partner/licenses").status_code == 200
        return len(seen)
    lic = sold(app, world.a)
    about(app, world.member, lic, world.a)
    few = queries_for_page()
    for n in range(12):
        more = sold(app, world.a, user=world.manager if n == 0 else None)
        about(app, world.manager, more, world.a)
    assert len(listed(client.get("/partner/licenses"))) == 13
    assert queries_for_page() == few


def test_the_file_a_ticket_link_is_live(app, world, client_for):
    lic = sold(app, world.a)
    client = client_for(world.member)
    link = re.search(r'href="(/tickets/new\?license=\d+)"', text(client.get("/partner/licenses"))).group(1)
    assert link == f"/tickets/new?license={lic.id}" and client.get(link).status_code == 200
