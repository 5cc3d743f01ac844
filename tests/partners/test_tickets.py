"""Partner tickets through the test client (policy 3.1 Decision, 3.4, 2.1): who of a partner sees
them (`[partners] visibility`), the end customer and level a member files with (`[partners]
ticket_level`), participants, the Partner Area's search and filters, and the CSV export."""
import csv
import dataclasses
import io
import re

import pytest

from portal.models import AuditLog, Order, Ticket, TicketParticipant, User
from portal.services import partner_tickets
from tests.factories import counting_queries, csrf_token, make_order, make_ticket, today

BODY = "The Host stops answering after the update on the customer's server."


def text(response):
    """The page, from its ticket list on when it has one (the partner home's cards above it name
    tickets too)."""
    return response.get_data(as_text=True).split('id="ticket-list"', 1)[-1]


@pytest.fixture
def visibility(app):
    """Set `[partners] visibility` on the running app's policy (as tests/test_decisions.py does)."""
    policy = app.extensions["runtime"].policy
    original = policy.partners

    def _set(value):
        policy.partners = dataclasses.replace(original, visibility=value)
    yield _set
    policy.partners = original


def partner_license(partner, license_type="SITE", expires_on=None, email="it@acme.example"):
    order, lic = make_order(email, license_type, expires_on=expires_on)
    Order.update(partner=partner).where(Order.id == order.id).execute()
    return lic


def filed_by(member, subject="Host stops answering", **extra):
    return make_ticket(member, subject=subject, body=BODY, level="RESELLER", partner=member.partner_id, **extra)


def file_ticket(client, **fields):
    data = {"csrf_token": csrf_token(client, "/tickets/new"), "product": "Remote Utilities",
            "subject": "Host stops answering", "body": BODY, "accept_policy": "1", **fields}
    return client.post("/tickets/new", data=data)


# -- visibility (policy 3.1 Decision) ------------------------------------------------------

def test_all_every_member_sees_the_partners_tickets_and_another_partner_gets_404(world, client_for, visibility):
    visibility("all")
    ticket = filed_by(world.manager)
    member = client_for(world.member)
    assert member.get(f"/tickets/{ticket.id}").status_code == 200
    assert f'data-ticket="{ticket.id}"' in text(member.get("/partner/"))
    other = client_for(world.manager_b)
    assert other.get(f"/tickets/{ticket.id}").status_code == 404
    assert f'data-ticket="{ticket.id}"' not in text(other.get("/partner/"))
    assert other.post(f"/tickets/{ticket.id}/reply", data={"csrf_token": csrf_token(other), "body": "hi"}
                      ).status_code == 404


def test_managers_see_all_and_members_their_own(world, client_for, visibility):
    visibility("managers")
    by_manager, by_member = filed_by(world.manager, "Manager's ticket"), filed_by(world.member, "Member's ticket")
    member, manager2 = client_for(world.member), client_for(world.manager2)
    assert member.get(f"/tickets/{by_manager.id}").status_code == 404
    assert member.get(f"/tickets/{by_member.id}").status_code == 200
    assert manager2.get(f"/tickets/{by_member.id}").status_code == 200
    listed = text(member.get("/partner/"))
    assert f'data-ticket="{by_member.id}"' in listed and f'data-ticket="{by_manager.id}"' not in listed
    assert f'data-ticket="{by_manager.id}"' in text(manager2.get("/partner/"))


def test_own_everyone_sees_only_their_own_unless_they_follow_it(world, client_for, visibility):
    visibility("own")
    by_member = filed_by(world.member)
    manager = client_for(world.manager)
    assert manager.get(f"/tickets/{by_member.id}").status_code == 404
    assert f'data-ticket="{by_member.id}"' not in text(manager.get("/partner/"))
    assert client_for(world.member).get(f"/tickets/{by_member.id}").status_code == 200  # the requester always
    TicketParticipant.create(ticket=by_member, user=world.manager)
    assert manager.get(f"/tickets/{by_member.id}").status_code == 200
    assert f'data-ticket="{by_member.id}"' in text(manager.get("/partner/"))


def test_a_participant_who_moved_to_another_partner_sees_nothing(world, client_for):
    ticket = filed_by(world.member)
    TicketParticipant.create(ticket=ticket, user=world.manager_b)
    assert client_for(world.manager_b).get(f"/tickets/{ticket.id}").status_code == 404


# -- filing for an end customer (policy 3.1 Decision, 3.4, 2.1) ----------------------------

def test_a_member_files_for_a_current_site_license_and_sees_the_level_and_why(world, client_for):
    lic = partner_license(world.a, "SITE")
    member = client_for(world.member)
    form = text(member.get(f"/tickets/new?license={lic.id}"))
    assert f'<option selected value="{lic.id}"' in form or f'value="{lic.id}" selected' in form
    response = file_ticket(member, license=str(lic.id))
    assert response.status_code == 302
    ticket = Ticket.get(Ticket.requester == world.member)
    assert (ticket.partner_id, ticket.license_id, ticket.level) == (world.a.id, lic.id, "SITE")
    masked = partner_tickets.masked(lic.key)
    assert ticket.level_reason == f"SITE: the end customer's license {masked} is current"
    page = text(member.get(f"/tickets/{ticket.id}"))
    assert 'data-level="SITE"' in page and f"the end customer&#39;s license {masked} is current" in page
    assert "it@acme.example" in text(member.get("/partner/"))


def test_an_expired_license_gives_the_reseller_band(world, client_for):
    lic = partner_license(world.a, "PRO", expires_on=today(-1))
    assert file_ticket(client_for(world.member), license=str(lic.id)).status_code == 302
    ticket = Ticket.get(Ticket.requester == world.member)
    assert ticket.level == "RESELLER" and "not current" in ticket.level_reason


def test_another_partners_license_is_refused(world, client_for):
    theirs = partner_license(world.b, "SITE")
    response = file_ticket(client_for(world.member), license=str(theirs.id))
    assert response.status_code == 400 and "Choose one of your partner&#39;s licenses." in text(response)
    assert not Ticket.select().exists()


def test_the_service_refuses_another_partners_license_by_id(world, app):
    theirs = partner_license(world.b, "SITE")
    with app.test_request_context(), pytest.raises(Exception) as refused:
        partner_tickets.check_end_customer(world.member, theirs.id)
    assert partner_tickets.NOT_YOURS in str(refused.value.errors)


def test_a_company_and_contact_email_are_recorded_and_shown(world, client_for):
    member = client_for(world.member)
    missing = file_ticket(member, end_customer_company="Acme GmbH")
    assert missing.status_code == 400 and 'id="e-end_customer_email"' in text(missing)
    assert file_ticket(member, end_customer_company="Acme GmbH", end_customer_email="IT@acme.example"
                       ).status_code == 302
    ticket = Ticket.get(Ticket.requester == world.member)
    assert (ticket.end_customer_company, ticket.end_customer_email, ticket.level) == (
        "Acme GmbH", "it@acme.example", "RESELLER")
    assert "Acme GmbH" in text(member.get(f"/tickets/{ticket.id}"))


def test_the_ticket_stays_with_the_partner_when_the_member_leaves(world, client_for):
    assert file_ticket(client_for(world.member)).status_code == 302
    User.update(partner=None, partner_role=None).where(User.id == world.member.id).execute()
    ticket = Ticket.get(Ticket.requester == world.member)
    assert ticket.partner_id == world.a.id
    assert client_for(world.manager).get(f"/tickets/{ticket.id}").status_code == 200


def test_a_customer_sees_no_end_customer_fields(make_user, client_for):
    page = text(client_for(make_user(level="PRO")).get("/tickets/new"))
    assert "data-end-customer" not in page and 'name="license"' not in page


# -- participants --------------------------------------------------------------------------

def test_a_member_adds_a_colleague_with_an_audit_row(world, client_for, visibility):
    visibility("own")
    ticket = filed_by(world.member)
    member = client_for(world.member)
    page = text(member.get(f"/tickets/{ticket.id}"))
    assert world.manager.email in page and world.manager_b.email not in page
    response = member.post(f"/tickets/{ticket.id}/participants",
                           data={"csrf_token": csrf_token(member), "user": str(world.manager.id)})
    assert response.status_code == 302
    assert TicketParticipant.get(TicketParticipant.ticket == ticket).user_id == world.manager.id
    row = AuditLog.get(AuditLog.action == "ticket.participant_add")
    assert row.object_id == str(ticket.id) and world.manager.email in row.detail
    assert client_for(world.manager).get(f"/tickets/{ticket.id}").status_code == 200


def test_participants_are_colleagues_only_and_need_csrf(world, client_for):
    ticket = filed_by(world.member)
    member = client_for(world.member)
    other = member.post(f"/tickets/{ticket.id}/participants",
                        data={"csrf_token": csrf_token(member), "user": str(world.manager_b.id)})
    assert other.status_code == 400
    assert member.post(f"/tickets/{ticket.id}/participants", data={"user": str(world.manager.id)}).status_code == 400
    assert not TicketParticipant.select().exists()
    outsider = client_for(world.manager_b)
    assert outsider.post(f"/tickets/{ticket.id}/participants",
                         data={"csrf_token": csrf_token(outsider), "user": str(world.manager_b.id)}).status_code == 404


# -- search, filters, paging ---------------------------------------------------------------

def test_search_by_number_words_and_end_customer_and_filter_by_filer(world, client_for):
    lic = partner_license(world.a, "SITE", email="ops@fabrikam.example")
    one = filed_by(world.member, "Viewer crashes", license=lic.id, end_customer_email="ops@fabrikam.example")
    two = filed_by(world.manager, "Host stops answering", end_customer_company="Acme GmbH")
    manager = client_for(world.manager)

    def listed(query):
        page = text(manager.get(f"/partner/?{query}"))
        return {t.id for t in (one, two) if f'data-ticket="{t.id}"' in page}
    assert listed(f"q=%23{one.id}") == {one.id}
    assert listed("q=customer%27s+server") == {one.id, two.id}  # words of the message body
    assert listed("q=crashes") == {one.id}
    assert listed("customer=acme") == {two.id}
    assert listed("customer=fabrikam") == {one.id}
    assert listed(f"filed_by={world.member.id}") == {one.id}
    assert listed("status=closed") == set()
    assert listed("q=nothing+like+this") == set()


def test_the_list_answers_htmx_with_the_fragment_and_keeps_filters_in_the_links(world, client_for):
    filed_by(world.member, "Viewer crashes")
    response = client_for(world.manager).get("/partner/?q=crashes", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="ticket-list">')
    assert "<html" not in body and 'hx-get="/partner/"' in body and 'value="crashes"' in body
    assert "/partner/tickets.csv?q=crashes" in body


def test_the_list_pages(world, client_for):
    for n in range(21):
        filed_by(world.member, f"Ticket number {n}")
    manager = client_for(world.manager)
    assert text(manager.get("/partner/")).count("data-ticket=") == 20
    assert text(manager.get("/partner/?page=2")).count("data-ticket=") == 1


# -- CSV -----------------------------------------------------------------------------------

def test_the_csv_has_the_partners_tickets_with_the_filters_and_defuses_formulas(world, client_for):
    lic = partner_license(world.a, "SITE")
    formula = filed_by(world.member, "=HYPERLINK(\"http://evil\")", license=lic.id)
    plain = filed_by(world.manager, "Host stops answering", end_customer_company="+Acme")
    filed_by(world.manager_b, "Contoso's own")
    response = client_for(world.manager).get("/partner/tickets.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0] == list(partner_tickets.CSV_HEADER)
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(formula.id), str(plain.id)}
    assert by_id[str(formula.id)][1].startswith("'=") and by_id[str(formula.id)][3] == partner_tickets.masked(lic.key)
    assert by_id[str(plain.id)][2] == "'+Acme" and by_id[str(plain.id)][6] == world.manager.email
    only = list(csv.reader(io.StringIO(text(client_for(world.manager).get(f"/partner/tickets.csv?filed_by={world.member.id}")))))
    assert [row[0] for row in only[1:]] == [str(formula.id)]


def test_the_csv_follows_the_viewers_visibility_and_is_404_for_non_members(world, client_for, make_user,
                                                                            visibility):
    visibility("own")
    filed_by(world.manager)
    rows = list(csv.reader(io.StringIO(text(client_for(world.member).get("/partner/tickets.csv")))))
    assert rows[1:] == []
    assert client_for(make_user(level="PRO")).get("/partner/tickets.csv").status_code == 404
    assert client_for(make_user(role="reseller")).get("/partner/tickets.csv").status_code == 404
    assert client_for(make_user(role="staff")).get("/partner/tickets.csv").status_code == 404


def test_a_colleague_who_sees_the_ticket_replies_and_a_follower_gets_staff_replies(world, client_for, make_user,
                                                                                    outbox, in_app):
    from portal.services import tickets
    ticket = filed_by(world.member)
    manager = client_for(world.manager)
    response = manager.post(f"/tickets/{ticket.id}/reply", data={"csrf_token": csrf_token(manager),
                                                                "body": "Adding the customer's log."})
    assert response.status_code == 302
    assert "Adding the customer&#39;s log." in text(manager.get(f"/tickets/{ticket.id}"))
    other = client_for(world.manager_b)
    assert other.post(f"/tickets/{ticket.id}/reply", data={"csrf_token": csrf_token(other), "body": "hi there"}
                      ).status_code == 404
    TicketParticipant.create(ticket=ticket, user=world.manager2)
    in_app(tickets.add_reply, Ticket.get_by_id(ticket.id), make_user(role="staff"), "Please update to 7.6.2.0.")
    mailed = {m["to"] for m in outbox if "Please update" in m["body"]}
    assert mailed == {world.member.email, world.manager2.email}


def test_the_reply_limit_answers_another_partner_without_the_ticket(world, client_for):
    ticket = filed_by(world.member)
    other = client_for(world.manager_b)
    csrf, url = csrf_token(other), f"/tickets/{ticket.id}/reply"
    assert {other.post(url, data={"csrf_token": csrf, "body": "x"}).status_code for _ in range(120)} == {404}
    hx = other.post(url, data={"body": "probe"}, headers={"HX-Request": "true", "X-CSRFToken": csrf})
    assert hx.status_code == 429 and "HX-Retarget" not in hx.headers and "reply-form" not in text(hx)


# -- finding the end customer's license on the form -----------------------------------------

def _license_options(html):
    select = re.search(r'<select[^>]*id="f-license"[^>]*>(.*?)</select>', html, re.S)
    assert select, html[:300]
    return [v for v in re.findall(r'value="([^"]*)"', select.group(1)) if v]


def test_policy_3_1_the_license_choice_is_searchable_by_key_email_or_customer(world, client_for, make_user):
    fabrikam = partner_license(world.a, "SITE", email="it@fabrikam.example")
    wingtip = partner_license(world.a, "PRO", email="office@wingtip.example")
    theirs = partner_license(world.b, "SITE", email="it@fabrikam-too.example")
    member = client_for(world.member)
    hx = {"HX-Request": "true"}

    def found(q, **extra):
        response = member.get("/tickets/new/licenses", query_string={"license_q": q, **extra}, headers=hx)
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
        return set(map(int, _license_options(response.get_data(as_text=True))))

    assert found("") == {fabrikam.id, wingtip.id}  # the partner's own licenses only, never B's
    assert found("fabrikam") == {fabrikam.id} and theirs.id not in found("fabrikam")
    assert found(wingtip.key[-4:]) == {wingtip.id}
    assert found("nothing like it") == set()
    assert found("wingtip", license=str(fabrikam.id)) == {fabrikam.id, wingtip.id}  # the chosen one stays
    # without JavaScript the search is the Licenses page; for anyone but a partner member it does not exist
    plain = member.get("/tickets/new/licenses?license_q=fabrikam")
    assert plain.status_code == 302 and "/partner/licenses?q=fabrikam" in plain.headers["Location"]
    customer = client_for(make_user(level="PRO"))
    assert customer.get("/tickets/new/licenses", headers=hx).status_code == 404


def test_a_search_typed_before_filing_keeps_the_chosen_license(world, client_for):
    lic = partner_license(world.a, "SITE", email="it@fabrikam.example")
    member = client_for(world.member)
    response = file_ticket(member, license=str(lic.id), license_q="fabrikam")
    assert response.status_code == 302
    assert Ticket.select().where(Ticket.license == lic.id).count() == 1


def test_the_draft_checks_typed_into_the_form_do_not_read_the_licenses(world, client_for):
    partner_license(world.a, "SITE")
    member = client_for(world.member)
    data = {"csrf_token": csrf_token(member, "/tickets/new"), "product": "Remote Utilities", "version": "7.6.2.0"}
    with counting_queries() as seen:
        response = member.post("/tickets/new/check", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert not [sql for sql in seen if '"license"' in sql], seen  # the choice is read when drawn
