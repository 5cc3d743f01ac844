"""Support levels kept current (policy 2.1, 2.2, 3.4) and license keys that cannot be enumerated (4.5)."""
from portal.models import License, Ticket, User
from portal.services import licenses
from tests import factories
from tests.tickets.conftest import post, submit_token, text

CANNOT_ADD = "We cannot add this key. Check it against your order email, or contact support if it is yours."


def _expire(user):
    """The user's licenses ran out yesterday (the policy's date)."""
    License.update(expires_on=factories.today(-1)).where(License.user == user.id).execute()


def _file(client, subject="Host does not start"):
    token = submit_token(text(client.get("/tickets/new")))
    return post(client, "/tickets/new", {"product": "Remote Utilities", "version": "", "subject": subject,
                                         "body": "The Host service stops right after boot.",
                                         "accept_policy": "1", "submit_token": token})


def test_login_falls_back_to_free_when_the_paid_license_expired(user, login):
    # policy 2.1: the level comes from the license type; an expired paid license no longer counts
    u = user(level="PRO")
    _expire(u)
    assert User.get_by_id(u.id).level == "PRO"  # the cached level, until something refreshes it
    login(u)
    fresh = User.get_by_id(u.id)
    assert fresh.level == "FREE" and "expired" in fresh.level_reason


def test_filing_a_ticket_uses_the_level_of_today(user, client_for):
    # policy 2.1: a ticket filed after the PRO license expired gets FREE's band and target
    u = user(level="PRO")
    client = client_for(u)  # logged in while the license was still valid
    _expire(u)
    assert _file(client).status_code == 302
    assert Ticket.get().level == "FREE" and User.get_by_id(u.id).level == "FREE"


def test_a_license_that_starts_today_upgrades_and_regrades_open_tickets(app, user, ticket, in_app):
    # policy 2.1 (a license bought for a later date counts from that date), 2.2 (upgrade regrades)
    u = user()
    with app.app_context():
        lic = factories.make_license("PLUS", user=u)
        License.update(purchased_on=factories.today(5)).where(License.id == lic.id).execute()
        assert licenses.current_level(u) == "FREE"
    older = ticket(u, subject="Filed while FREE")
    assert older.level == "FREE"
    License.update(purchased_on=factories.today()).where(License.id == lic.id).execute()
    newer = ticket(u, subject="Filed on the day the license starts")
    assert newer.level == "PLUS"
    regraded = Ticket.get_by_id(older.id)
    assert regraded.level == "PLUS" and regraded.due_at <= older.due_at


def test_current_level_refreshes_and_answers_the_level(app, user):
    # policy 2.1, 3.4: the helper the forum calls before it ranks a post
    pro, reseller = user(level="PRO"), user(role="reseller")
    _expire(pro)
    with app.app_context():
        assert licenses.current_level(pro) == "FREE" and pro.level == "FREE"
        assert licenses.current_level(reseller) == "RESELLER"  # policy 3.4 band, unchanged
    assert User.get_by_id(pro.id).level == "FREE"


def test_refresh_reads_the_old_level_inside_its_transaction(app, user, ticket):
    # policy 2.2: the upgrade is judged against the stored level, not a stale copy in memory
    u = user(level="PLUS")
    t = ticket(u)
    with app.app_context():
        stale = User.get_by_id(u.id)
        stale.level = "SITE"  # what an object loaded before some other change believed
        factories.make_license("PRO", user=u)
        assert licenses.refresh_level(stale).level == "PRO"
    assert Ticket.get_by_id(t.id).level == "PRO"  # PLUS -> PRO is an upgrade: regraded


def test_refresh_levels_command_counts_the_changes(app, user):
    # policy 2.1, 3.4: a daily job for licenses that expire or start while nobody logs in
    expired, unchanged, reseller, starts = user(level="PRO"), user(level="SITE"), user(role="reseller"), user()
    staff = user(role="staff")
    _expire(expired)
    with app.app_context():
        factories.make_license("STARTER", user=starts)  # bound by an operator, level not refreshed
        factories.make_license("PRO", user=staff)
        _expire(staff)
    result = app.test_cli_runner().invoke(args=["portal", "refresh-levels"])
    assert result.exit_code == 0, result.output
    assert "4 accounts checked, 2 changed level." in result.output
    levels = {u.id: User.get_by_id(u.id).level for u in (expired, unchanged, reseller, starts)}
    assert levels == {expired.id: "FREE", unchanged.id: "SITE", reseller.id: "RESELLER", starts.id: "STARTER"}
    again = app.test_cli_runner().invoke(args=["portal", "refresh-levels"])
    assert "4 accounts checked, 0 changed level." in again.output


def test_unknown_key_and_another_accounts_key_get_the_same_answer(app, user, client_for):
    # policy 4.5 Decision (a key is bound to one account): no way to learn which keys exist
    owner, other = user(level="PRO"), user()
    owned = License.get(License.user == owner.id).key
    client = client_for(other)
    answers = [post(client, "/account/license", {"key": key}) for key in (owned, "RUPRO-99999-TEST-9999")]
    assert [a.status_code for a in answers] == [400, 400]
    assert all(CANNOT_ADD in text(a) for a in answers)
    assert "another account" not in text(answers[0]) and "do not know" not in text(answers[1])
    own = post(client_for(owner), "/account/license", {"key": owned})
    assert own.status_code == 400 and "already on your account" in text(own)
    assert License.get(License.key == owned).user_id == owner.id
