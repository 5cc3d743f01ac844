"""The partner use cases, called directly (policy 3.1 Decision, 3.4)."""
import datetime
import hashlib

import pytest
import time_machine

from portal.models import AuditLog, PartnerInvite, Ticket, User
from portal.services import partner_invites as invites, partners
from portal.services.errors import Conflict, FieldError, NotFound
from tests import factories
from tests.partners.conftest import at_once, invite_link, token_of

PASSWORD = "a long new password"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def actions():
    return [row.action for row in AuditLog.select().order_by(AuditLog.id)]


def test_policy_3_1_admin_creates_a_partner_with_a_new_manager_account(ctx):
    admin = factories.make_user(role="admin")
    partner = partners.create_partner(admin, "  Northwind   IT ", "p-1001", "Boss@Northwind.example", "Boss", PASSWORD)
    assert (partner.name, partner.number) == ("Northwind IT", "P-1001")
    manager = User.by_email("boss@northwind.example")
    assert (manager.role, manager.partner_id, manager.partner_role) == ("reseller", partner.id, "manager")
    assert manager.verified and manager.level == "RESELLER"  # policy 3.4: the reseller band
    row = AuditLog.get(AuditLog.action == "partner.create")
    assert row.actor_id == admin.id and row.object_id == str(partner.id) and "boss@northwind.example" in row.detail


def test_policy_3_1_an_existing_reseller_becomes_the_first_manager(ctx):
    reseller = factories.make_user(role="reseller")
    partner = partners.create_partner(None, "Contoso", "P-2", reseller.email)
    fresh = User.get_by_id(reseller.id)
    assert (fresh.partner_id, fresh.partner_role, fresh.password_hash) == (partner.id, "manager", reseller.password_hash)


@pytest.mark.parametrize("who, field, words", [
    ("customer", "email", "customer account"),
    ("member", "email", "already belongs to a partner"),
    ("nobody", "password", "initial password"),
])
def test_policy_3_1_create_partner_refusals_name_the_field(ctx, who, field, words):
    _, (member,) = factories.make_partner()
    email = {"customer": factories.make_user(level="PRO").email if who == "customer" else None,
             "member": member.email, "nobody": "new@example.test"}[who]
    with pytest.raises(FieldError) as info:
        partners.create_partner(None, "Fabrikam", "P-9", email)
    assert info.value.field == field and words in info.value.message


def test_policy_3_1_a_partner_number_is_unique_and_well_formed(ctx):
    partners.create_partner(None, "One", "P-7", "one@example.test", password=PASSWORD)
    with pytest.raises(FieldError, match="already taken") as info:
        partners.create_partner(None, "Two", "p-7", "two@example.test", password=PASSWORD)
    assert info.value.field == "number"
    with pytest.raises(FieldError) as info:
        partners.create_partner(None, "Three", "P 8; DROP", "three@example.test", password=PASSWORD)
    assert info.value.field == "number"
    assert User.by_email("two@example.test") is None


# -- invitations ---------------------------------------------------------------------------

def test_policy_3_1_invite_stores_only_a_hash_and_mails_a_single_use_link(ctx, world, outbox):
    sent = invites.invite(world.manager, " Colleague@Example.test ", "member")
    path = invite_link(outbox, "colleague@example.test")
    assert path.startswith(invites.invite_path(""))
    token = token_of(path)
    stored = PartnerInvite.get_by_id(sent.id)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.token_hash != hashlib.sha256(token.encode()).hexdigest()  # the signed link is not the secret
    assert stored.expires_at - stored.created_at == datetime.timedelta(hours=72)
    mail = outbox[-1]
    assert world.a.name in mail["subject"] and "72 hours" in mail["body"] and "member" in mail["body"]
    assert invites.read_invite(token).id == sent.id
    assert "partner.invite" in actions()


@pytest.mark.parametrize("kind, message", [
    ("customer", invites.CUSTOMER_TAKEN),
    ("member", "already a member of your partner"),
    ("other_partner", invites.TAKEN),
    ("staff", invites.TAKEN),
])
def test_policy_3_1_addresses_with_an_account_are_refused_with_a_reason(ctx, world, kind, message):
    email = {"customer": factories.make_user(level="PRO").email, "member": world.member.email,
             "other_partner": world.manager_b.email, "staff": factories.make_user(role="staff").email}[kind]
    with pytest.raises(FieldError, match=message) as info:
        invites.invite(world.manager, email, "member")
    assert info.value.field == "email" and PartnerInvite.select().count() == 0


def test_policy_3_1_a_waiting_invitation_is_not_sent_twice(ctx, world):
    invites.invite(world.manager, "twice@example.test", "member")
    with pytest.raises(FieldError, match="already waiting"):
        invites.invite(world.manager2, "twice@example.test", "manager")
    invites.invite(world.manager_b, "twice@example.test", "member")  # another partner may invite it too


def test_policy_3_1_only_managers_invite_and_a_bad_role_is_refused(ctx, world):
    with pytest.raises(NotFound):
        invites.invite(world.member, "x@example.test", "member")
    with pytest.raises(FieldError) as info:
        invites.invite(world.manager, "x@example.test", "owner")
    assert info.value.field == "role"
    with pytest.raises(FieldError) as info:
        invites.invite(world.manager, "not an address", "member")
    assert info.value.field == "email"


def test_policy_3_1_accept_makes_a_verified_member_and_uses_the_invitation(ctx, world, outbox):
    invites.invite(world.manager, "new@example.test", "manager")
    token = token_of(invite_link(outbox, "new@example.test"))
    user = invites.accept(token, PASSWORD, PASSWORD, "New Colleague")
    assert (user.role, user.partner_id, user.partner_role, user.display_name) == (
        "reseller", world.a.id, "manager", "New Colleague")
    assert user.verified and user.level == "RESELLER"
    assert PartnerInvite.get(PartnerInvite.email == "new@example.test").used_at is not None
    with pytest.raises(invites.InviteLinkError, match="already been used"):
        invites.accept(token, PASSWORD, PASSWORD)
    assert User.select().where(User.email == "new@example.test").count() == 1
    row = AuditLog.get(AuditLog.action == "partner.accept")
    assert row.actor_id == user.id and "manager" in row.detail


def test_policy_3_1_accept_checks_the_password_first(ctx, world, outbox):
    invites.invite(world.manager, "weak@example.test", "member")
    token = token_of(invite_link(outbox, "weak@example.test"))
    with pytest.raises(FieldError) as info:
        invites.accept(token, "short", "short")
    assert info.value.field == "password"
    with pytest.raises(FieldError) as info:
        invites.accept(token, PASSWORD, PASSWORD + "x")
    assert info.value.field == "confirm"
    assert invites.read_invite(token)  # still usable


@pytest.mark.clock
def test_policy_3_1_an_invitation_works_for_72_hours(ctx, world, outbox):
    invites.invite(world.manager, "late@example.test", "member")
    token = token_of(invite_link(outbox, "late@example.test"))
    with time_machine.travel(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=71)):
        assert invites.read_invite(token)
    with time_machine.travel(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=73)):
        with pytest.raises(invites.InviteLinkError, match="expired"):
            invites.read_invite(token)
        with pytest.raises(invites.InviteLinkError, match="expired"):
            invites.accept(token, PASSWORD, PASSWORD)
    assert User.by_email("late@example.test") is None


def test_policy_3_1_a_tampered_link_is_refused(ctx, world, outbox):
    invites.invite(world.manager, "tamper@example.test", "member")
    token = token_of(invite_link(outbox, "tamper@example.test"))
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "", "abc.def.ghi"):
        with pytest.raises(invites.InviteLinkError, match="not valid"):
            invites.read_invite(bad)


def test_policy_3_1_resend_replaces_the_link_and_revoke_withdraws_it(ctx, world, outbox):
    sent = invites.invite(world.manager, "again@example.test", "member")
    first = token_of(invite_link(outbox, "again@example.test"))
    invites.resend(world.manager2, sent.id)
    second = token_of(invite_link(outbox, "again@example.test"))
    assert first != second and len(outbox) == 2
    with pytest.raises(invites.InviteLinkError, match="replaced by a newer one"):
        invites.read_invite(first)
    assert invites.read_invite(second).id == sent.id
    invites.revoke(world.manager, sent.id)
    with pytest.raises(invites.InviteLinkError, match="withdrawn"):
        invites.read_invite(second)
    with pytest.raises(Conflict):
        invites.resend(world.manager, sent.id)
    assert actions()[-3:] == ["partner.invite", "partner.invite_resend", "partner.invite_revoke"]


def test_policy_3_1_another_partner_cannot_touch_an_invitation(ctx, world):
    sent = invites.invite(world.manager, "mine@example.test", "member")
    for action in (invites.resend, invites.revoke):
        with pytest.raises(NotFound):
            action(world.manager_b, sent.id)
        with pytest.raises(NotFound):
            action(world.member, sent.id)
    assert PartnerInvite.get_by_id(sent.id).revoked_at is None


def test_policy_3_1_two_accepts_at_once_make_one_account(app, world, outbox, in_app):
    in_app(invites.invite, world.manager, "race@example.test", "member")
    token = token_of(invite_link(outbox, "race@example.test"))
    results = at_once(app, [lambda: invites.accept(token, PASSWORD, PASSWORD)] * 2)
    winners = [r for r, exc in results if r is not None]
    losers = [exc for r, exc in results if exc is not None]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], invites.InviteLinkError)
    with app.app_context():
        assert User.select().where(User.email == "race@example.test").count() == 1
        assert AuditLog.select().where(AuditLog.action == "partner.accept").count() == 1


def test_policy_3_1_an_address_registered_after_the_invitation_cannot_accept(ctx, world, outbox):
    invites.invite(world.manager, "late-customer@example.test", "member")
    token = token_of(invite_link(outbox, "late-customer@example.test"))
    factories.make_user(email="late-customer@example.test")
    with pytest.raises(invites.InviteLinkError, match="already has an account"):
        invites.accept(token, PASSWORD, PASSWORD)
    assert PartnerInvite.get(PartnerInvite.email == "late-customer@example.test").used_at is None


# -- roles and removal ---------------------------------------------------------------------

def test_policy_3_1_roles_change_and_the_last_manager_stays(ctx, world):
    partners.change_role(world.manager, world.member.id, "manager")
    partners.change_role(world.member, world.manager2.id, "member")
    partners.change_role(world.member, world.manager.id, "member")
    assert [u.email for u in partners.members(world.a) if u.partner_role == "manager"] == [world.member.email]
    with pytest.raises(Conflict, match="at least one manager"):
        partners.change_role(world.member, world.member.id, "member")
    with pytest.raises(Conflict, match="at least one manager"):
        partners.remove_member(world.member, world.member.id)
    with pytest.raises(NotFound):  # no longer a manager
        partners.change_role(world.manager, world.member.id, "member")
    with pytest.raises(FieldError):
        partners.change_role(world.member, world.manager.id, "owner")
    assert actions().count("partner.role") == 3


def test_policy_3_1_a_manager_of_another_partner_changes_nothing(ctx, world):
    for action in (lambda: partners.change_role(world.manager_b, world.member.id, "manager"),
                   lambda: partners.remove_member(world.manager_b, world.member.id),
                   lambda: partners.change_role(world.member, world.manager2.id, "member"),
                   lambda: partners.remove_member(world.member, world.manager2.id)):
        with pytest.raises(NotFound):
            action()
    assert User.get_by_id(world.member.id).partner_id == world.a.id
    assert User.get_by_id(world.manager2.id).partner_role == "manager"


def test_policy_3_1_removal_ends_every_session_and_tickets_stay_with_the_partner(ctx, world):
    ticket = factories.make_ticket(world.member, partner=world.a)
    before = User.get_by_id(world.member.id).session_version
    partners.remove_member(world.manager, world.member.id)
    gone = User.get_by_id(world.member.id)
    assert gone.session_version == before + 1 and not gone.is_active
    assert (gone.partner_id, gone.partner_role) == (None, None)
    assert Ticket.get_by_id(ticket.id).partner_id == world.a.id
    assert world.member.email not in [u.email for u in partners.members(world.a)]
    row = AuditLog.get(AuditLog.action == "partner.remove")
    assert row.actor_id == world.manager.id and world.member.email in row.detail
    with pytest.raises(NotFound):
        partners.remove_member(world.manager, world.member.id)
    with pytest.raises(FieldError, match="already has an account"):  # support moves a closed account
        invites.invite(world.manager, world.member.email, "member")


def test_policy_3_1_two_managers_demoting_each_other_at_once_leave_one(app, world):
    results = at_once(app, [lambda: partners.change_role(world.manager, world.manager2.id, "member"),
                            lambda: partners.change_role(world.manager2, world.manager.id, "member")])
    refused = [exc for _, exc in results if exc is not None]
    assert len(refused) == 1 and isinstance(refused[0], (Conflict, NotFound)), results
    with app.app_context():
        assert [u.partner_role for u in partners.members(world.a)].count("manager") == 1


def test_policy_3_1_two_managers_removing_each_other_at_once_leave_one(app, world):
    results = at_once(app, [lambda: partners.remove_member(world.manager, world.manager2.id),
                            lambda: partners.remove_member(world.manager2, world.manager.id)])
    assert sum(exc is None for _, exc in results) == 1, results
    with app.app_context():
        assert len([u for u in partners.members(world.a) if u.partner_role == "manager"]) == 1


def test_overview_counts_members_licenses_and_open_tickets(ctx, world):
    from portal.models import Order
    order, _ = factories.make_order("end@customer.example", "SITE")
    Order.update(partner=world.a).where(Order.id == order.id).execute()
    factories.make_ticket(world.member, partner=world.a)
    factories.make_ticket(world.member, partner=world.a, status="closed")
    rows = {p.number: p for p in partners.overview().rows}
    a, b = rows["P-A1"], rows["P-B1"]
    assert (a.member_count, a.license_count, a.open_count) == (3, 1, 1)
    assert (b.member_count, b.license_count, b.open_count) == (1, 0, 0)
    managers = partners.managers_by_partner([a.id, b.id])
    assert [u.email for u in managers[b.id]] == [world.manager_b.email] and len(managers[a.id]) == 2
