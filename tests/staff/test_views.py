"""Staff ticket views (issue 13, Views and search): mine, waiting on customer, solved and closed,
all, by requester, by partner, combined in the URL, ordered and paged by the database, one query
for the rows (no N+1); the queue's "Why is this here?" across a refresh (policy 4.6, 2.1, 3.4)."""
import datetime
import re

import pytest

from portal.models import Ticket
from portal.services import ticket_views
from portal.services.errors import FieldError
from tests import factories
from tests.factories import counting_queries
from tests.staff.helpers import at, why as why_of


def ids(html):
    """The ticket ids of a view's rows, in order."""
    return [int(n) for n in re.findall(r'data-ticket-id="(\d+)"', html)]


def _touch(app, ticket, minutes_ago, **changes):
    with app.app_context():
        Ticket.update(updated_at=at(minutes=minutes_ago), **changes).where(Ticket.id == ticket.id).execute()


@pytest.fixture
def make_partner(app):
    return factories.in_app_context(app, factories.make_partner)


@pytest.fixture
def agent(make_user):
    return make_user(role="staff", display_name="Ann Agent")


@pytest.fixture
def desk(app, make_user, make_ticket, agent):
    """Tickets in every status, some assigned to the agent, updated at known times."""
    pro, free = make_user(level="PRO"), make_user(level="FREE")
    other = make_user(role="staff")
    made = {
        "mine_open": make_ticket(pro, subject="Mine open", assignee=agent),
        "mine_waiting": make_ticket(pro, subject="Mine waiting", assignee=agent, status="waiting",
                                    awaiting_staff=False),
        "mine_solved": make_ticket(pro, subject="Mine solved", assignee=agent, status="solved", awaiting_staff=False),
        "theirs_waiting": make_ticket(free, subject="Theirs waiting", assignee=other, status="waiting",
                                      awaiting_staff=False),
        "closed": make_ticket(free, subject="Closed one", status="closed", awaiting_staff=False),
        "unassigned": make_ticket(free, subject="Nobody's"),
    }
    for minutes, name in enumerate(("unassigned", "closed", "theirs_waiting", "mine_solved", "mine_waiting",
                                    "mine_open")):
        _touch(app, made[name], minutes_ago=10 + minutes * 10)
    return {name: t.id for name, t in made.items()} | {"pro": pro, "free": free}


def test_each_view_lists_its_statuses_in_its_order(client, login, agent, desk):
    login(agent)
    mine = client.get("/staff/tickets?view=mine").get_data(as_text=True)
    # mine: open and waiting, assigned to me; awaiting staff first
    assert ids(mine) == [desk["mine_open"], desk["mine_waiting"]]
    waiting = client.get("/staff/tickets?view=waiting").get_data(as_text=True)
    # waiting on the customer: anyone's, the longest waiting first
    assert ids(waiting) == [desk["mine_waiting"], desk["theirs_waiting"]]
    solved = client.get("/staff/tickets?view=solved").get_data(as_text=True)
    assert ids(solved) == [desk["closed"], desk["mine_solved"]]  # the latest first
    every = client.get("/staff/tickets").get_data(as_text=True)
    assert ids(every) == [desk[n] for n in ("unassigned", "closed", "theirs_waiting", "mine_solved",
                                            "mine_waiting", "mine_open")]
    assert 'aria-current="page">All<' in every


def test_a_row_shows_number_subject_requester_level_status_assignee_partner_updated(
        app, client, login, agent, make_user, make_ticket, make_partner):
    partner, (member,) = make_partner(name="Northwind IT", number="P-1001")
    ticket = make_ticket(member, subject="Partner <b>bold</b>", level="RESELLER", partner=partner.id, assignee=agent)
    login(agent)
    html = client.get("/staff/tickets").get_data(as_text=True)
    row = html[html.index(f'data-ticket-id="{ticket.id}"'):]
    row = row[:row.index("</tr>")]
    assert f"#{ticket.id} " in row and f'href="/staff/tickets/{ticket.id}"' in row
    assert "Partner &lt;b&gt;bold&lt;/b&gt;" in row  # escaped, never |safe
    assert member.email in row and ">RESELLER<" in row and ">open<" in row and "Ann Agent" in row
    assert "Northwind IT (P-1001)" in row and 'href="/staff/tickets?partner=P-1001"' in row
    assert " PT</time>" in row  # the one time wording (pt_time)


def test_by_requester_by_email_or_number_and_combined_with_a_view(client, login, agent, desk):
    login(agent)
    pro = desk["pro"]
    by_email = ids(client.get(f"/staff/tickets?requester={pro.email.upper()}").get_data(as_text=True))
    assert sorted(by_email) == sorted([desk["mine_open"], desk["mine_waiting"], desk["mine_solved"]])
    by_id = ids(client.get(f"/staff/tickets?requester={pro.id}").get_data(as_text=True))
    assert by_id == by_email
    combined = ids(client.get(f"/staff/tickets?view=solved&requester={pro.email}").get_data(as_text=True))
    assert combined == [desk["mine_solved"]]
    nobody = client.get("/staff/tickets?requester=nobody@example.test")
    assert nobody.status_code == 200 and ids(nobody.get_data(as_text=True)) == []
    assert "No tickets match these filters" in nobody.get_data(as_text=True)


def test_by_partner_number_and_level(client, login, agent, make_ticket, make_user, make_partner):
    partner, (member,) = make_partner(number="P-2002")
    other, (someone,) = make_partner(number="P-3003")
    theirs = make_ticket(member, level="RESELLER", partner=partner.id)
    make_ticket(someone, level="RESELLER", partner=other.id)
    pro = make_ticket(make_user(level="PRO"))
    login(agent)
    assert ids(client.get("/staff/tickets?partner=P-2002").get_data(as_text=True)) == [theirs.id]
    assert ids(client.get("/staff/tickets?level=PRO").get_data(as_text=True)) == [pro.id]
    assert ids(client.get("/staff/tickets?level=PRO&partner=P-2002").get_data(as_text=True)) == []


@pytest.mark.parametrize("query, field", [("view=everything", "view"), ("level=GOLD", "level"),
                                          ("partner=P-9999", "partner"), ("requester=not-an-address", "requester")])
def test_bad_filters_answer_400_with_the_message_by_the_field(client, login, agent, query, field):
    login(agent)
    response = client.get(f"/staff/tickets?{query}")
    assert response.status_code == 400
    assert f'id="e-{field}"' in response.get_data(as_text=True)


def test_paged_by_the_database_with_next_and_previous(app, client, login, agent, make_user, make_ticket):
    customer = make_user(level="PLUS")
    made = [make_ticket(customer, subject=f"Paged {n}") for n in range(7)]
    for n, ticket in enumerate(made):
        _touch(app, ticket, minutes_ago=n)
    with app.app_context():
        first = ticket_views.view_page(ticket_views.Filters(), page=1, size=3)
        third = ticket_views.view_page(ticket_views.Filters(), page=3, size=3)
    assert [r.id for r in first.rows] == [t.id for t in made[:3]] and first.has_next
    assert [r.id for r in third.rows] == [made[6].id] and not third.has_next
    login(agent)
    html = client.get("/staff/tickets?page=1").get_data(as_text=True)
    assert 'rel="next"' not in html  # 7 tickets fit one page of 50
    assert client.get("/staff/tickets?page=abc").status_code == 200  # page 1


def test_filters_refuse_bad_values_in_the_service():
    with pytest.raises(FieldError):
        ticket_views.Filters(view="nope")
    with pytest.raises(FieldError):
        ticket_views.Filters(requester="drop table")
    assert ticket_views.Filters(view="all", partner="P-1", level="").as_args() == {"partner": "P-1"}


def test_a_view_page_costs_the_same_queries_however_many_rows(app, client, login, agent, make_user, make_ticket, make_partner):
    login(agent)
    partner, (member,) = make_partner()
    costs = {}
    for n in (2, 20):
        for i in range(n):
            make_ticket(member if i % 2 else make_user(level="PRO"), assignee=agent if i % 3 else None,
                        partner=partner.id if i % 2 else None, level="RESELLER" if i % 2 else "PRO")
        client.get("/staff/tickets")  # warm
        with counting_queries() as seen:
            html = client.get("/staff/tickets").get_data(as_text=True)
        costs[n] = len(seen)
        assert len(ids(html)) == (2 if n == 2 else 22)
        rows = [sql for sql in seen if 'FROM "ticket"' in sql]
        assert len(rows) == 1 and " JOIN " in rows[0] and "LIMIT" in rows[0]  # one query, paged in SQL
    assert costs[2] == costs[20], costs


def test_views_are_for_staff_only(client, login, make_user):
    login(make_user(level="PRO"))
    assert client.get("/staff/tickets").status_code == 404
    assert client.get("/staff/search?q=x").status_code == 404


def test_the_nav_and_the_queue_link_the_views(client, login, agent, desk):
    login(agent)
    queue = client.get("/staff/queue").get_data(as_text=True)
    for view in ("mine", "waiting", "solved", "all"):
        assert f'href="/staff/tickets?view={view}"' in queue
    assert 'href="/staff/tickets">Tickets</a>' in queue
    assert 'aria-current="page">Queue<' in queue


# -- the queue: "Why is this here?" across the refresh, what decided the place ------------------

def test_why_says_channel_level_and_its_reason_due_time_and_age(app, client, login, agent, make_user, make_ticket):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer, level_reason="PRO: license RUPRO-1 is current", opened=at(hours=3))
    login(agent)
    html = client.get(f"/staff/queue?open=ticket-{ticket.id}").get_data(as_text=True)  # no JS: the row open
    page = html[html.index(f'id="why-ticket-{ticket.id}"'):]
    page = page[:page.index("</details>")]
    for why in (page, why_of(client, f"ticket-{ticket.id}")):  # and what htmx loads when it is opened
        assert "Ticket: tickets come before every forum thread (policy 4.6)" in why
        assert "Level PRO (policy 2.1): PRO: license RUPRO-1 is current" in why
        assert "First response due " in why and "business time" in why
        assert re.search(r"Opened \w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d PT, 3 h( \d+ min)? ago", why), why


def test_a_closed_why_is_loaded_when_opened_and_links_to_the_open_row_without_js(app, client, login, agent,
                                                                                  make_user, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    html = client.get("/staff/queue?level=PRO").get_data(as_text=True)
    details = html[html.index(f'id="why-ticket-{ticket.id}"'):]
    details = details[:details.index("</details>")]
    assert "Ticket · PRO · due" not in html and "why-reasons" not in html  # nothing worked out for closed rows
    assert f'hx-get="/staff/queue/why/ticket-{ticket.id}" hx-trigger="toggle once"' in details
    assert f'href="/staff/queue?level=PRO&amp;open=ticket-{ticket.id}#why-ticket-{ticket.id}"' in details  # no JS
    assert "Ticket · PRO · due" in why_of(client, f"ticket-{ticket.id}")
    plain = client.get(f"/staff/queue/why/ticket-{ticket.id}")  # without htmx: the queue, that row open
    assert plain.status_code == 302 and plain.headers["Location"].endswith(
        f"/staff/queue?open=ticket-{ticket.id}#why-ticket-{ticket.id}")
    for bad in ("ticket-999999", "forum-999999", "user-1", "ticket-x"):
        assert client.get(f"/staff/queue/why/{bad}", headers={"HX-Request": "true"}).status_code == 404, bad
    customer = login(make_user(level="PRO"), app.test_client())  # not staff: no such address (policy: 404)
    assert customer.get(f"/staff/queue/why/ticket-{ticket.id}", headers={"HX-Request": "true"}).status_code == 404


def test_the_poll_renders_the_open_explanations_open(client, login, agent, make_user, make_ticket, make_thread):
    first, second = make_ticket(make_user(level="PRO")), make_ticket(make_user(level="FREE"))
    thread = make_thread(make_user(level="FREE"), level="FREE")
    login(agent)
    fragment = client.get(f"/staff/queue?open=ticket-{second.id},forum-{thread.id},bogus",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(rf'id="why-ticket-{second.id}"[^>]*\sopen>', fragment)
    assert re.search(rf'id="why-forum-{thread.id}"[^>]*\sopen>', fragment)
    assert not re.search(rf'id="why-ticket-{first.id}"[^>]*\sopen>', fragment)
    # the poll's own URL never carries the open rows (the script adds the ones still open)
    assert re.search(r'hx-get="/staff/queue"', fragment)
    page = client.get("/staff/queue?level=PRO&open=ticket-1").get_data(as_text=True)
    assert 'hx-get="/staff/queue?level=PRO"' in page


def test_queue_cells_are_labelled_for_the_stacked_narrow_layout(client, login, agent, make_user, make_ticket):
    make_ticket(make_user(level="PRO"))
    login(agent)
    html = client.get("/staff/queue").get_data(as_text=True)
    assert 'class="queue stack"' in html
    for label in ("Level", "Assignee", "Business time"):
        assert f'data-label="{label}"' in html


def test_policy_rank_reasons_are_pure_and_cite_the_clauses(app, ctx):
    from portal.services import get_policy
    policy = get_policy()
    due = datetime.datetime(2031, 3, 18, 17, 0, tzinfo=datetime.timezone.utc)
    opened, now = due - datetime.timedelta(hours=26), due - datetime.timedelta(hours=1)
    lines = policy.rank_reasons("forum", "RESELLER", "", due, opened, now)
    assert lines[0] == "Forum thread: after every ticket (policy 4.6)"
    assert lines[1] == "Level RESELLER (policy 3.4)"
    assert lines[2] == "First response due Tue 18 Mar 2031 10:00 PT: 1 h of business time left"
    assert lines[3].startswith("Opened Mon 17 Mar 2031 08:00 PT, 1 d 1 h ago")
    answered = policy.rank_reasons("ticket", "PRO", "why", due, opened, now, answered=True)
    assert "no first-response target applies (policy 2.1)" in answered[2]
