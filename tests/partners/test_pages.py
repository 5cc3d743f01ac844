"""The partner pages through the test client: /admin/partners, /partner/members and its actions,
the invitation's accept page (policy 3.1 Decision). Plain forms: no JavaScript needed."""
import re

import pytest

from portal.models import AuditLog, Partner, PartnerInvite, User
from tests.factories import csrf_token
from tests.partners.conftest import invite_link

PASSWORD = "a long new password"


def text(response):
    return response.get_data(as_text=True)


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


@pytest.fixture
def invited(world, client_for, outbox):
    """A member invitation of partner A: (its row, the accept path)."""
    response = post(client_for(world.manager), "/partner/members/invite", email="new@example.test", role="member")
    assert response.status_code == 302
    return PartnerInvite.get(PartnerInvite.email == "new@example.test"), invite_link(outbox, "new@example.test")


# -- /admin/partners -----------------------------------------------------------------------

def test_admin_lists_partners_and_creates_one_with_its_first_manager(world, make_user, client_for):
    admin = client_for(make_user(role="admin"))
    page = admin.get("/admin/partners")
    assert page.status_code == 200 and "Northwind Test" in text(page) and world.manager_b.email in text(page)
    assert 'href="/admin/partners"' in text(page)  # in the admin navigation
    response = post(admin, "/admin/partners", company="Fabrikam Resale", number="P-77",
                    email="lead@fabrikam.example", name="Lead", password=PASSWORD)
    assert response.status_code == 302
    lead = User.by_email("lead@fabrikam.example")
    assert lead.partner.name == "Fabrikam Resale" and lead.partner_role == "manager"
    after = text(admin.get("/admin/partners"))
    assert "Fabrikam Resale" in after and "lead@fabrikam.example" in after


def test_admin_create_refusals_land_on_their_fields(world, make_user, client_for):
    admin = client_for(make_user(role="admin"))
    customer = make_user(level="PRO")
    response = post(admin, "/admin/partners", company="Dup", number="P-A1", email=customer.email)
    assert response.status_code == 400
    body = text(response)
    assert 'id="e-email"' in body and "customer account" in body
    taken = post(admin, "/admin/partners", company="Dup", number="p-a1", email="free@example.test", password=PASSWORD)
    assert taken.status_code == 400 and "P-A1 is already taken" in text(taken) and 'id="e-number"' in text(taken)
    assert Partner.select().count() == 2


@pytest.mark.parametrize("who", ["manager", "member", "customer", "staff"])
def test_admin_partners_is_404_for_everyone_but_admins(world, make_user, client_for, who):
    user = {"manager": world.manager, "member": world.member, "customer": make_user(level="PRO"),
            "staff": make_user(role="staff")}[who]
    client = client_for(user)
    assert client.get("/admin/partners").status_code == 404
    assert post(client, "/admin/partners", company="X", number="P-X", email="x@example.test",
                password=PASSWORD).status_code == 404
    assert Partner.select().count() == 2


# -- /partner/members ----------------------------------------------------------------------

def test_a_manager_sees_colleagues_and_waiting_invitations(world, client_for, invited):
    page = client_for(world.manager).get("/partner/members")
    body = text(page)
    assert page.status_code == 200
    for user in (world.manager, world.manager2, world.member):
        assert f'data-member="{user.email}"' in body
    assert 'data-invite="new@example.test"' in body and world.manager_b.email not in body
    assert "<table" not in body  # cards that wrap at a phone's width
    home = text(client_for(world.manager).get("/partner/"))
    assert 'href="/partner/members"' in home and "Northwind Test" in home


def test_a_member_gets_404_on_every_managing_page(world, client_for, invited):
    invite, _ = invited
    client = client_for(world.member)
    assert client.get("/partner/").status_code == 200
    assert 'href="/partner/members"' not in text(client.get("/partner/"))
    assert client.get("/partner/members").status_code == 404
    for url, data in [("/partner/members/invite", {"email": "x@example.test", "role": "member"}),
                      (f"/partner/members/{world.manager2.id}/role", {"role": "member"}),
                      (f"/partner/members/{world.manager2.id}/remove", {}),
                      (f"/partner/invites/{invite.id}/resend", {}),
                      (f"/partner/invites/{invite.id}/revoke", {})]:
        assert post(client, url, **data).status_code == 404, url
    assert User.get_by_id(world.manager2.id).partner_role == "manager"
    assert PartnerInvite.get_by_id(invite.id).revoked_at is None


def test_a_manager_of_another_partner_gets_404_on_partner_as_objects(world, client_for, invited):
    invite, _ = invited
    client = client_for(world.manager_b)
    page = text(client.get("/partner/members"))
    assert world.member.email not in page and "new@example.test" not in page  # B's own page shows B only
    for url, data in [(f"/partner/members/{world.member.id}/role", {"role": "manager"}),
                      (f"/partner/members/{world.member.id}/remove", {}),
                      (f"/partner/invites/{invite.id}/resend", {}),
                      (f"/partner/invites/{invite.id}/revoke", {})]:
        assert post(client, url, **data).status_code == 404, url
    member = User.get_by_id(world.member.id)
    assert (member.partner_id, member.partner_role, member.is_active) == (world.a.id, "member", True)
    assert PartnerInvite.get_by_id(invite.id).revoked_at is None


@pytest.mark.parametrize("who", ["customer", "staff", "admin", "reseller"])
def test_members_page_is_404_for_accounts_without_a_partner_to_manage(world, make_user, client_for, who):
    user = make_user(role="customer" if who == "customer" else who, level="PRO" if who == "customer" else None)
    assert client_for(user).get("/partner/members").status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get("/partner/members")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_invite_refusal_stays_on_the_page_with_the_reason(world, make_user, client_for, outbox):
    customer = make_user(level="PRO")
    response = post(client_for(world.manager), "/partner/members/invite", email=customer.email, role="member")
    assert response.status_code == 400
    body = text(response)
    assert "customer account" in body and 'aria-invalid="true"' in body and customer.email in body
    assert outbox == [] and PartnerInvite.select().count() == 0


def test_state_changes_need_the_csrf_token(world, client_for):
    client = client_for(world.manager)
    assert client.post("/partner/members/invite", data={"email": "x@example.test", "role": "member"}).status_code == 400
    assert client.post(f"/partner/members/{world.member.id}/remove").status_code == 400
    assert User.get_by_id(world.member.id).is_active and PartnerInvite.select().count() == 0


def test_role_change_and_the_last_manager_message(world, client_for):
    client = client_for(world.manager)
    response = post(client, f"/partner/members/{world.manager2.id}/role", role="member")
    assert response.status_code == 302 and response.headers["Location"] == "/partner/members"
    assert User.get_by_id(world.manager2.id).partner_role == "member"
    refused = post(client, f"/partner/members/{world.manager.id}/role", role="member")
    assert refused.status_code == 302
    assert "at least one manager" in text(client.get("/partner/members"))
    assert User.get_by_id(world.manager.id).partner_role == "manager"
    assert post(client, f"/partner/members/{world.member.id}/role", role="owner").status_code == 400


def test_removal_ends_the_members_open_session_at_once(world, client_for):
    member = client_for(world.member)
    assert member.get("/partner/").status_code == 200
    response = post(client_for(world.manager), f"/partner/members/{world.member.id}/remove")
    assert response.status_code == 302
    assert member.get("/partner/").status_code == 302  # to log in: the session ended
    login = member.post("/login", data={"email": world.member.email, "password": "correct horse battery",
                                        "csrf_token": csrf_token(member, "/login")})
    assert login.status_code == 401  # the account is closed
    assert AuditLog.select().where(AuditLog.action == "partner.remove").count() == 1


def test_a_manager_who_demotes_themself_lands_in_the_partner_area(world, client_for):
    client = client_for(world.manager2)
    response = post(client, f"/partner/members/{world.manager2.id}/role", role="member")
    assert response.headers["Location"] == "/partner/"
    assert client.get("/partner/members").status_code == 404


def test_resend_and_revoke_from_the_page(world, client_for, invited, outbox):
    invite, first = invited
    client = client_for(world.manager2)
    assert post(client, f"/partner/invites/{invite.id}/resend").status_code == 302
    second = invite_link(outbox, "new@example.test")
    assert second != first and client.get(first).status_code == 400
    assert post(client, f"/partner/invites/{invite.id}/revoke").status_code == 302
    gone = client.get(second)
    assert gone.status_code == 400 and "withdrawn" in text(gone)
    assert 'data-invite="new@example.test"' not in text(client.get("/partner/members"))


# -- the accept page -----------------------------------------------------------------------

def test_the_invited_colleague_sets_a_password_and_lands_in_the_partner_area(app, world, invited):
    _, path = invited
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200 and "Northwind Test" in text(page) and "new@example.test" in text(page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(page)).group(1)
    response = browser.post(path, data={"csrf_token": token, "name": "New One", "password": PASSWORD,
                                        "confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/partner/"
    home = browser.get("/partner/")
    assert home.status_code == 200 and "Northwind Test" in text(home)
    user = User.by_email("new@example.test")
    assert (user.partner_id, user.partner_role, user.display_name) == (world.a.id, "member", "New One")
    again = browser.get(path)
    assert again.status_code == 400 and "already been used" in text(again)


def test_accept_page_refusals(app, world, invited):
    _, path = invited
    browser = app.test_client()
    token = csrf_token(browser, path)
    weak = browser.post(path, data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert weak.status_code == 400 and 'id="e-password"' in text(weak)
    bad = browser.get(path[:-3] + "xyz")
    assert bad.status_code == 400 and "not valid" in text(bad)
    assert User.by_email("new@example.test") is None


# -- rate limit ----------------------------------------------------------------------------

def test_invitations_are_limited_to_20_an_hour_per_manager(world, client_for, outbox):
    client = client_for(world.manager)
    token = csrf_token(client)
    codes = [client.post("/partner/members/invite", data={"csrf_token": token, "email": f"c{n}@example.test",
                                                          "role": "member"}).status_code for n in range(19)]
    invite = PartnerInvite.get(PartnerInvite.email == "c0@example.test")
    codes.append(client.post(f"/partner/invites/{invite.id}/resend", data={"csrf_token": token}).status_code)
    assert codes == [302] * 20  # resending counts with inviting
    over = client.post("/partner/members/invite", data={"csrf_token": token, "email": "c99@example.test",
                                                        "role": "member"})
    assert over.status_code == 429 and "at most 20 invitations an hour" in text(over)
    assert "Nothing was sent" in text(over)
    assert PartnerInvite.select().count() == 19 and len(outbox) == 20
    other = client_for(world.manager2)  # keyed on the account
    assert post(other, "/partner/members/invite", email="c99@example.test", role="member").status_code == 302
