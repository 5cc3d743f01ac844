"""/partner/: the partner's home (policy 3.1): its open tickets by whom they wait for (the SLA
state of the staff queue, policy 2.1), upcoming remote sessions, licenses expiring soon; then the
reseller's own ticket list as before."""
import datetime
import re

import pytest

from portal.db import utcnow
from portal.models import RemoteSession, Ticket
from portal.services import partners
from tests.factories import counting_queries
from tests.partners.sold import FIXED, about, fixed_day, sold  # noqa: F401  (fixed_day is a fixture)
from tests.policy._util import custom_policy

HOUR = datetime.timedelta(hours=1)
HX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def card(body, group):
    match = re.search(rf'<li class="card" data-group="{group}" data-count="(\d+)">(.*?)</li>', body, re.S)
    assert match, f"no {group} card"
    return int(match.group(1)), [int(i) for i in re.findall(r'data-ticket="(\d+)"', match.group(2))]


def section(body, name):
    match = re.search(rf'<section class="card"[^>]*data-home-{name}>(.*?)</section>', body, re.S)
    assert match, f"no {name} section"
    return match.group(1)


def waiting_for_support(app, requester, due_in, opened_ago=HOUR, **fields):
    """An open ticket in the staff queue, opened `opened_ago` before FIXED and due `due_in` after it."""
    return about(app, requester, opened=FIXED - opened_ago, due=FIXED + due_in, **fields)


@pytest.mark.clock
def test_policy_3_1_open_tickets_by_whom_they_wait_for(app, world, client_for, fixed_day):
    on_time = waiting_for_support(app, world.member, 7 * HOUR, partner=world.a, subject="On time")
    at_risk = waiting_for_support(app, world.manager, HOUR / 2, opened_ago=3 * HOUR, subject="Nearly due")
    breached = waiting_for_support(app, world.member, -HOUR, opened_ago=9 * HOUR, subject="Overdue")
    answered = about(app, world.manager2, status="waiting", awaiting_staff=False, subject="Support asked")
    follow_up = waiting_for_support(app, world.member, -HOUR, opened_ago=9 * HOUR, subject="Follow-up",
                                    first_response_at=FIXED - 2 * HOUR,
                                    first_response_met=True)
    about(app, world.member, status="closed", subject="Closed one")
    about(app, world.manager_b, subject="Contoso's own")
    body = text(client_for(world.member).get("/partner/"))
    assert card(body, "support") == (2, [follow_up.id, on_time.id])  # soonest due first; a follow-up has no
    # first-response clock (policy 2.1), so it never is at risk
    assert card(body, "at_risk") == (2, [breached.id, at_risk.id])
    assert card(body, "you") == (1, [answered.id])
    assert "Contoso's own" not in body and "Closed one" not in body.split('id="ticket-list"')[0]
    assert 'state-breached">overdue by 1 h of business time' in body  # the clock the lists show, worded as everywhere


def test_policy_3_1_the_partners_tickets_are_those_recorded_for_it(app, world, make_user):
    outsider = make_user(role="reseller")  # e.g. a member who left: the ticket stays with the partner
    recorded = about(app, outsider, partner=world.a, subject="Recorded for A")
    by_member = about(app, world.member, subject="Filed by a member")
    about(app, outsider, subject="Outsider's own")
    about(app, world.manager_b, subject="B's")
    about(app, world.member, partner=world.b, subject="Recorded for B")
    with app.app_context():
        seen = {t.subject for t in partners.visible_tickets(world.manager, world.a)}
        assert seen == {"Recorded for A", "Filed by a member"}
        assert {t.subject for t in partners.visible_tickets(world.manager_b, world.b)} == {"B's", "Recorded for B"}
        assert {recorded.id, by_member.id} == {t.id for t in partners.visible_tickets(world.manager, world.a)}


@pytest.mark.parametrize("who", ["manager", "member"])
def test_policy_3_1_manager_and_member_both_see_the_partner_home(app, world, client_for, who):
    mine = about(app, world.member, subject="The member's ticket")
    theirs = about(app, world.manager, subject="The manager's ticket")
    body = text(client_for(getattr(world, who)).get("/partner/"))
    count, shown = card(body, "support")
    assert count == 2 and set(shown) == {mine.id, theirs.id}
    assert 'href="/partner/licenses"' in body and 'id="ticket-list"' in body


def test_policy_3_1_with_visibility_own_the_home_counts_only_ones_own(app, world, client_for):
    mine = about(app, world.member, subject="The member's ticket")
    about(app, world.manager, subject="The manager's ticket")
    original = app.extensions["runtime"].policy
    app.extensions["runtime"].policy = custom_policy(partners={"visibility": "own"})
    try:
        body = text(client_for(world.member).get("/partner/"))
    finally:
        app.extensions["runtime"].policy = original
    assert card(body, "support") == (1, [mine.id]) and "The manager's ticket" not in body


@pytest.mark.clock
def test_upcoming_sessions_of_the_partners_tickets(app, world, client_for, make_user, fixed_day):
    agent = make_user(role="staff", display_name="Agent Smith")
    ticket = about(app, world.member, subject="Needs a session")
    other = about(app, world.manager_b, subject="B needs one too")
    with app.app_context():
        def session(t, status, starts):
            return RemoteSession.create(ticket=t, requested_by=t.requester, agent=agent, status=status,
                                        starts_at=starts).id
        later = session(ticket, "scheduled", FIXED + 26 * HOUR)
        running = session(ticket, "running", FIXED - HOUR)
        gone = [session(ticket, "scheduled", FIXED - 2 * HOUR), session(ticket, "cancelled", FIXED + HOUR),
                session(ticket, "ended", FIXED - 3 * HOUR), session(other, "scheduled", FIXED + HOUR)]
    sessions = section(text(client_for(world.manager).get("/partner/")), "sessions")
    shown = [int(i) for i in re.findall(r'data-session="(\d+)"', sessions)]
    assert shown == [running, later] and not set(gone) & set(shown)
    assert "running now" in sessions and "Wed 25 Nov 2026 14:00 PT" in sessions and "with Agent Smith" in sessions


@pytest.mark.clock
def test_licenses_expiring_within_30_days(app, world, client_for, fixed_day):
    soon, last_day = sold(app, world.a, expires_in=3), sold(app, world.a, expires_in=30)
    for kept_out in (sold(app, world.a, expires_in=31), sold(app, world.a, expires_in=0),
                     sold(app, world.a, expires_in=None), sold(app, world.b, expires_in=3)):
        assert kept_out.id
    body = section(text(client_for(world.member).get("/partner/")), "expiring")
    assert [int(i) for i in re.findall(r'data-license="(\d+)"', body)] == [soon.id, last_day.id]
    assert "...-" + soon.key[-4:] in body and soon.key not in body


def test_the_ticket_list_stays_and_its_htmx_requests_get_only_the_list(app, world, client_for):
    own = about(app, world.member, subject="My own ticket", status="waiting", awaiting_staff=False)
    colleague = about(app, world.manager, subject="The manager's ticket")
    client = client_for(world.member)
    page = text(client.get("/partner/"))
    listed = page.split('id="ticket-list"', 1)[1]
    # the list shows what the cards count: under visibility "all" a colleague's ticket too (policy 3.1)
    assert f'data-ticket="{own.id}"' in listed and f'data-ticket="{colleague.id}"' in listed
    with counting_queries() as seen:
        fragment = client.get("/partner/?status=waiting", headers=HX)
    body = text(fragment)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="ticket-list"')
    assert "data-partner-home" not in body and f'data-ticket="{own.id}"' in body
    assert not [q for q in seen if 'FROM "remote_session"' in q or 'FROM "license"' in q]  # no home queries


def test_a_reseller_of_no_partner_keeps_the_plain_partner_area(app, client_for, make_user):
    reseller = make_user(role="reseller")
    about(app, reseller, subject="Alone")
    body = text(client_for(reseller).get("/partner/"))
    assert "<h1>Partner Area</h1>" in body and "data-partner-home" not in body
    assert 'href="/partner/licenses"' not in body and "Alone" in body


def test_the_home_page_runs_a_fixed_number_of_queries(app, world, client_for, make_user):
    agent = make_user(role="staff")
    client = client_for(world.member)

    def queries_for_home():
        with counting_queries() as seen:
            assert client.get("/partner/").status_code == 200
        return len(seen)

    def more(n):
        for i in range(n):
            lic = sold(app, world.a, expires_in=5 + i)
            ticket = about(app, world.member if i % 2 else world.manager, lic, world.a)
            with app.app_context():
                RemoteSession.create(ticket=ticket, requested_by=ticket.requester, agent=agent, status="scheduled",
                                     starts_at=utcnow() + datetime.timedelta(days=i + 1))
                if i % 3 == 0:
                    Ticket.update(status="waiting", awaiting_staff=False).where(Ticket.id == ticket.id).execute()
    more(1)
    few = queries_for_home()
    more(9)
    assert queries_for_home() == few
