"""What staff see of partner tickets (policy 3.1, 3.4, 2.1): the partner, the member who filed, the
end customer and the masked license on queue rows and the ticket page; the queue's partner filter
with its paging and depth; no query per row. Forum threads have no partner (policy 3.2)."""
from html import unescape
import re

import pytest

from portal.models import License, Order, Partner, User
from portal.services import queue
from portal.services.errors import FieldError
from portal.services.licenses import masked_key
from tests import factories
from tests.factories import counting_queries
from tests.staff.helpers import at, queue_rows


def _partner(name, number, members=1):
    partner, people = factories.make_partner(name, number, managers=1, members=members)
    return partner, people


def _sold(partner, license_type="SITE", expires_in=300, key=None):
    """A license of an order `partner` bought for resale (policy 3.1)."""
    lic = factories.make_license(license_type, key=key, expires_on=factories.today(expires_in))
    Order.update(partner=partner).where(Order.id == lic.order_id).execute()
    return License.get_by_id(lic.id)


def _partner_ticket(filer, partner, lic=None, company=None, email=None, level=None, **kwargs):
    return factories.make_ticket(filer, partner=partner, license=lic, end_customer_company=company,
                                 end_customer_email=email, level=level or (lic.type if lic else "RESELLER"),
                                 **kwargs)


@pytest.fixture
def world(app):
    """Two partners with a ticket each, a customer's ticket and a forum thread."""
    class World:
        pass
    w = World()
    with app.app_context():
        w.a, (w.manager_a, w.member_a) = _partner("Northwind Test", "P-NW1")
        w.b, (w.manager_b,) = _partner("Contoso Test", "P-CT1", members=0)
        w.site = _sold(w.a, "SITE", key="RUSITE-NW7K2-FAB01-9ZT3")
        w.ticket_a = _partner_ticket(w.member_a, w.a, w.site, company="Fabrikam", email="it@fabrikam.example",
                                     subject="Fabrikam: relay drops sessions")
        w.ticket_b = _partner_ticket(w.manager_b, w.b, email="helpdesk@litware.example",
                                     subject="Litware: deploy the Host")
        w.customer = factories.make_user(level="PRO")
        w.own = factories.make_ticket(w.customer, subject="A customer's own ticket")
        w.thread = factories.make_thread(w.customer)
        w.agent = factories.make_user(role="staff")
    return w


def _queue(client, **args):
    response = client.get("/staff/queue", query_string=args)
    html = response.get_data(as_text=True)
    return response.status_code, html, {int(r["request-id"]) for r in queue_rows(html) if r["channel"] == "ticket"}


# -- the masking -------------------------------------------------------------------------------

def test_masked_key_shows_only_the_last_block():
    assert masked_key("RUSITE-NW7K2-FAB01-9ZT3") == "...-9ZT3"
    assert masked_key("") == "" and masked_key(None) == ""


# -- queue rows --------------------------------------------------------------------------------

def test_partner_rows_show_partner_filer_end_customer_and_masked_license(world, client, login):
    login(world.agent)
    status, html, _ = _queue(client)
    assert status == 200
    row_a = re.search(rf'data-request-id="{world.ticket_a.id}".*?</tr>', html, re.S).group(0)
    assert "Northwind Test" in row_a and "for Fabrikam" in row_a and "<code>...-9ZT3</code>" in row_a
    assert f"filed by {world.member_a.email}" in row_a
    row_b = re.search(rf'data-request-id="{world.ticket_b.id}".*?</tr>', html, re.S).group(0)
    assert "Contoso Test" in row_b and "for helpdesk@litware.example" in row_b and "<code>" not in row_b
    own = re.search(rf'data-request-id="{world.own.id}".*?</tr>', html, re.S).group(0)
    assert "data-partner" not in own and "filed by" not in own
    assert "RUSITE-NW7K2-FAB01-9ZT3" not in html  # never the whole key


def test_queue_rows_of_the_service_carry_the_partner_fields(world, app):
    with app.app_context():
        rows = {r.id: r for r in queue.queue_page().rows if r.channel == "ticket"}
        thread = next(r for r in queue.queue_page().rows if r.channel == "forum")
    a, b, own = rows[world.ticket_a.id], rows[world.ticket_b.id], rows[world.own.id]
    assert (a.partner, a.end_customer, a.license_key, a.requester) == \
        ("Northwind Test", "Fabrikam", "...-9ZT3", world.member_a.email)
    assert (b.partner, b.end_customer, b.license_key) == ("Contoso Test", "helpdesk@litware.example", "")
    assert (own.partner, own.end_customer, own.license_key) == (None, "", "")
    assert thread.partner is None  # policy 3.2: a thread is nobody's partner ticket


# -- the partner filter ------------------------------------------------------------------------

def test_the_filter_shows_only_that_partners_tickets_and_no_threads(world, client, login):
    login(world.agent)
    status, html, ids = _queue(client, partner=world.a.id)
    assert status == 200 and ids == {world.ticket_a.id}
    assert not [r for r in queue_rows(html) if r["channel"] == "forum"]  # policy 3.2
    assert re.search(r"Waiting now: 1 ticket,\s+0 forum threads", html)  # the depth honours the filter
    assert re.search(rf'<option (selected value="{world.a.id}"|value="{world.a.id}" selected)>', html)
    assert re.search(rf'hx-get="/staff/queue\?partner={world.a.id}" hx-trigger="every 30s"', html)
    assert _queue(client, partner=world.b.id)[2] == {world.ticket_b.id}
    _, everything, all_ids = _queue(client)
    assert all_ids == {world.ticket_a.id, world.ticket_b.id, world.own.id}
    assert re.search(r"Waiting now: 3 tickets,\s+1 forum thread\.", everything)


def test_the_filter_combines_with_the_others(world, app, client, login):
    with app.app_context():
        mine = _partner_ticket(world.manager_a, world.a, company="Adventure Works", assignee=world.agent)
    login(world.agent)
    assert _queue(client, partner=world.a.id, assignee="me")[2] == {mine.id}
    assert _queue(client, partner=world.a.id, level="SITE")[2] == {world.ticket_a.id}
    assert _queue(client, partner=world.b.id, level="SITE")[2] == set()


def test_the_select_offers_every_partner_by_name_with_ids_as_values(world, client, login):
    login(world.agent)
    html = _queue(client)[1]
    select = re.search(r'<select[^>]*id="f-partner"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == [("", "Any partner"), (str(world.b.id), "Contoso Test (P-CT1)"),
                       (str(world.a.id), "Northwind Test (P-NW1)")]


@pytest.mark.parametrize("bad", ["999999", "abc", "-1", "0", "1.5", "99999999999999999999"])
def test_an_unknown_partner_is_refused_like_other_bad_filters(world, client, login, bad):
    login(world.agent)
    status, html, ids = _queue(client, partner=bad)
    assert status == 400 and queue.UNKNOWN_PARTNER in html and ids == set()


def test_the_service_refuses_a_partner_that_is_no_id(app):
    for bad in ("1", 0, -3, True, 1.0):
        with pytest.raises(FieldError) as refused:
            queue.Filters(partner=bad)
        assert "partner" in refused.value.errors
    assert queue.Filters(partner=7).as_args() == {"partner": 7}


def test_keyset_paging_keeps_the_partner_filter(world, app, client, login):
    with app.app_context():
        made = {_partner_ticket(world.member_a, world.a, world.site, company=f"Customer {n}",
                                opened=at(hours=n), due=at(hours=n - 2 * (n % 3))).id for n in range(57)}
        for n in range(20):  # another partner's and a customer's, interleaved in the order
            _partner_ticket(world.manager_b, world.b, opened=at(hours=n), level="SITE")
            factories.make_ticket(world.customer, opened=at(hours=n, minutes=1))
    made.add(world.ticket_a.id)
    login(world.agent)
    seen, url, pages = [], f"/staff/queue?partner={world.a.id}", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(r["request-id"]) for r in queue_rows(html)]
        nxt = re.search(r'href="([^"]*after=[^"]+)" rel="next"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert url is None or f"partner={world.a.id}" in url
        pages += 1
    assert pages == 2 and len(seen) == len(set(seen)) == len(made) and set(seen) == made
    with app.app_context():  # the same order as the unfiltered queue, the other rows taken out
        page = queue.queue_page(limit=200)
        everything = [r.id for r in page.rows if r.channel == "ticket"]
        walked, cursor = [], None
        while True:
            page = queue.queue_page(queue.Filters(partner=world.a.id), cursor, limit=7)
            walked += [r.id for r in page.rows]
            if not (cursor := page.next_cursor):
                break
    assert walked == [i for i in everything if i in made]


# -- no query per row --------------------------------------------------------------------------

def test_a_queue_page_costs_the_same_with_more_partner_tickets(world, app, client, login):
    login(world.agent)
    costs = {}
    for n in (2, 12):
        with app.app_context():
            while Partner.select().count() < n:
                partner, (member,) = _partner(f"Partner {Partner.select().count()}", None, members=0)
                for tier in ("PRO", "STARTER"):
                    _partner_ticket(member, partner, _sold(partner, tier), company=f"End {tier}")
        client.get("/staff/queue")  # warm
        with counting_queries() as seen:
            html = client.get("/staff/queue").get_data(as_text=True)
        assert html.count("partner-facts") == 2 + 2 * (n - 2)
        costs[n] = len(seen)
        with counting_queries() as polled:
            client.get(f"/staff/queue?partner={world.a.id}", headers={"HX-Request": "true"})
        costs[f"poll {n}"] = len(polled)
    assert costs[2] == costs[12] and costs["poll 2"] == costs["poll 12"], costs
    assert costs[12] <= 7, costs  # user, partners for the select, tickets, threads, two depth counts,
    # and who else is on the rows' pages (one query for all of them)


# -- the staff ticket page ---------------------------------------------------------------------

def _partner_block(client, ticket_id):
    response = client.get(f"/staff/tickets/{ticket_id}")
    assert response.status_code == 200
    block = re.search(r'<section class="card staff-facts partner-ticket".*?</section>',
                      response.get_data(as_text=True), re.S)
    return unescape(block.group(0)) if block else None


def test_the_ticket_page_shows_the_partner_block(world, client, login):
    login(world.agent)
    block = _partner_block(client, world.ticket_a.id)
    assert "Northwind Test" in block and "(P-NW1)" in block
    assert world.member_a.email in block and 'data-partner-role="member"' in block
    assert "Fabrikam <it@fabrikam.example>" in block
    assert "<code data-license-key>...-9ZT3</code>" in block and ">SITE<" in block
    assert 'data-license-state="current"' in block and "current, expires" in block
    # the level and its reason, from the [partners] ticket_level rule (policy 3.1, 2.1)
    assert "SITE: the end customer's license RUSITE-...-9ZT3 is current" in block and "as filed" not in block
    assert "RUSITE-NW7K2-FAB01-9ZT3" not in client.get(f"/staff/tickets/{world.ticket_a.id}").get_data(as_text=True)


def test_a_ticket_without_a_license_gets_the_band_and_says_so(world, client, login):
    login(world.agent)
    block = _partner_block(client, world.ticket_b.id)
    assert 'data-partner-role="manager"' in block and "helpdesk@litware.example" in block
    assert "none given" in block and "RESELLER: partner ticket (the reseller band)" in block


def test_an_expired_license_since_filing_shows_the_level_filed_and_what_the_rule_gives_now(world, app, client,
                                                                                            login):
    with app.app_context():
        lic = _sold(world.a, "PRO", expires_in=-3, key="RUPRO-NW3X9-ADV02-4K8M")
        ticket = _partner_ticket(world.member_a, world.a, lic, company="Adventure Works", level="PRO")
    login(world.agent)
    block = _partner_block(client, ticket.id)
    assert 'data-license-state="expired"' in block and "expired on" in block
    assert re.search(r">PRO</span>\s*as filed; today the rule would give <span data-level-reason>RESELLER: the end "
                     r"customer's license RUPRO-...-4K8M is not current, so the reseller band applies", block)


def test_a_member_who_left_is_named_so_and_other_tickets_have_no_block(world, app, client, login):
    with app.app_context():
        User.update(partner=None, partner_role=None, is_active_account=False).where(
            User.id == world.member_a.id).execute()
    login(world.agent)
    assert "no longer a member of the partner" in _partner_block(client, world.ticket_a.id)
    assert _partner_block(client, world.own.id) is None
    page = client.get(f"/staff/tickets/{world.own.id}").get_data(as_text=True)
    assert "account now" not in page  # the customer's own ticket keeps its usual facts


def test_the_partner_block_costs_no_extra_query(world, client, login):
    login(world.agent)
    costs = {}
    for name, ticket in (("own", world.own), ("partner", world.ticket_a)):
        client.get(f"/staff/tickets/{ticket.id}")  # warm
        with counting_queries() as seen:
            client.get(f"/staff/tickets/{ticket.id}")
        costs[name] = len(seen)
    assert costs["own"] == costs["partner"], costs


def test_the_not_yet_valid_state(world, app, client, login):
    with app.app_context():
        lic = _sold(world.a, "PRO")
        License.update(purchased_on=factories.today(5)).where(License.id == lic.id).execute()
        ticket = _partner_ticket(world.member_a, world.a, License.get_by_id(lic.id), level="RESELLER")
    login(world.agent)
    block = _partner_block(client, ticket.id)
    assert 'data-license-state="not_started"' in block and "valid from" in block
    assert "RESELLER: the end customer's license ...-" not in block and "is not current" in block


def test_partner_and_end_customer_names_are_shown_as_text(app, client, login):
    from tests.security.attack_helpers import assert_shown_as_text
    payload = '<script>alert("p")</script>"><img src=x onerror=alert(1)>'
    with app.app_context():
        partner, (member,) = _partner(payload, "P-XSS1", members=0)
        ticket = _partner_ticket(member, partner, company=payload, email="it@example.test")
        agent = factories.make_user(role="staff")
    login(agent)
    for url, headers in (("/staff/queue", {}), ("/staff/queue", {"HX-Request": "true"}),
                         (f"/staff/queue?partner={partner.id}", {}), (f"/staff/tickets/{ticket.id}", {})):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert_shown_as_text(response.get_data(as_text=True), payload, ("alert",))
