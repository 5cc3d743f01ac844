"""`flask --app app portal create-partner` and the demo partners and their tickets (policy 3.1 Decision)."""
import pytest

from portal.db import utcnow
from portal.models import AuditLog, License, Order, Partner, RemoteSession, Ticket, User
from tests.factories import today


def test_create_partner_command_with_a_new_manager(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "create-partner", "--name", "Northwind IT", "--number", "P-1001",
                                 "--manager-email", "Boss@Northwind.example", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "created partner Northwind IT (P-1001) with manager boss@northwind.example" in result.output
    boss = User.by_email("boss@northwind.example")
    assert (boss.role, boss.partner_role, boss.partner.number) == ("reseller", "manager", "P-1001")
    assert AuditLog.get(AuditLog.action == "partner.create").actor_id is None  # the command line
    again = runner.invoke(args=["portal", "create-partner", "--name", "Other", "--number", "p-1001",
                                "--manager-email", "x@example.test", "--password", "a long password"])
    assert again.exit_code == 1 and "number: Partner number P-1001 is already taken." in again.output


def test_create_partner_command_asks_for_a_new_managers_password(app):
    result = app.test_cli_runner().invoke(
        args=["portal", "create-partner", "--name", "Contoso", "--number", "P-2", "--manager-email", "c@example.test"],
        input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert User.by_email("c@example.test").partner.name == "Contoso"


def test_create_partner_command_with_an_existing_reseller(app, make_user):
    reseller = make_user(role="reseller")
    result = app.test_cli_runner().invoke(args=["portal", "create-partner", "--name", "Fabrikam", "--number", "P-3",
                                                "--manager-email", reseller.email])
    assert result.exit_code == 0, result.output  # no password asked for
    assert User.get_by_id(reseller.id).partner_role == "manager"


@pytest.mark.clock
def test_demo_partners_and_their_members(app):
    runner = app.test_cli_runner()
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["portal", "demo", "--password", "demo pass 123"])
        assert result.exit_code == 0, result.output
    northwind, contoso = (Partner.get(Partner.name == n) for n in ("Northwind IT", "Contoso Partners"))
    expected = {"reseller@demo.test": (northwind.id, "manager"), "reseller2@demo.test": (northwind.id, "member"),
                "partnerb@demo.test": (contoso.id, "manager")}
    for email, membership in expected.items():
        user = User.by_email(email)
        assert (user.partner_id, user.partner_role) == membership and user.level == "RESELLER" and user.verified
    assert Partner.select().count() == 2
    for partner, count in ((northwind, 3), (contoso, 2)):
        sold = list(License.select().join(Order).where(Order.partner == partner))
        assert len(sold) == count and all(lic.user_id is None for lic in sold)  # bought for end customers
    northwind_sold = {lic.type: lic for lic in License.select().join(Order).where(Order.partner == northwind)}
    assert set(northwind_sold) == {"SITE", "PRO", "PLUS"}
    assert northwind_sold["SITE"].expires_on > today() > northwind_sold["PRO"].expires_on  # one current, one expired
    assert today() < northwind_sold["PLUS"].expires_on <= today(30)  # expiring within 30 days


@pytest.mark.clock
def test_demo_partner_tickets_for_end_customers(app):
    runner = app.test_cli_runner()
    for _ in range(2):  # idempotent
        assert runner.invoke(args=["portal", "demo", "--password", "demo pass 123"]).exit_code == 0
    filed = list(Ticket.select().where(Ticket.partner.is_null(False) & Ticket.end_customer_email.is_null(False)))
    assert len(filed) == 4 and all(t.license_id or t.end_customer_company for t in filed)
    by_partner = {t.partner.name for t in filed}
    assert by_partner == {"Northwind IT", "Contoso Partners"}
    assert {t.requester.partner_id for t in filed} == {t.partner_id for t in filed}  # filed by its members
    licensed = {t.license.type: t.license for t in filed if t.license_id}
    assert "SITE" in licensed and any(lic.expires_on <= today() for lic in licensed.values())  # one expired
    assert any(t.status == "waiting" for t in filed)  # support answered one: it waits for the partner
    upcoming = RemoteSession.select().join(Ticket).where(Ticket.partner.is_null(False)
                                                         & (RemoteSession.status == "scheduled"))
    assert upcoming.count() == 1 and upcoming.get().starts_at > utcnow()
