"""Flask commands: migrate, demo (twice), create-user, sla (issue 2 part 8, policy CLI)."""
from portal.models import License, User


def test_demo_seeds_every_role_and_level_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "demo", "--password", "demo pass 123"])
    assert first.exit_code == 0, first.output
    count = User.select().count()
    second = runner.invoke(args=["portal", "demo", "--password", "demo pass 123"])
    assert second.exit_code == 0, second.output
    assert User.select().count() == count
    expected = {"site": "SITE", "pro": "PRO", "plus": "PLUS", "starter": "STARTER", "free": "FREE",
                "trial": "TRIAL", "reseller": "RESELLER"}
    for name, level in expected.items():
        user = User.by_email(f"{name}@demo.test")
        assert user.level == level and user.verified, (name, user.level)
    for email, role in [("staff@demo.test", "staff"), ("staff2@demo.test", "staff"), ("admin@demo.test", "admin")]:
        assert User.by_email(email).role == role
    assert License.select().where(License.user.is_null(False)).count() == 5


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "create-user", "--email", "Agent@Example.test", "--role", "staff",
                                 "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert User.by_email("agent@example.test").role == "staff"
    again = runner.invoke(args=["portal", "create-user", "--email", "agent@example.test", "--role", "staff",
                                "--password", "a long password"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_migrate_command_reports_nothing_to_do(app):
    result = app.test_cli_runner().invoke(args=["portal", "migrate"])
    assert result.exit_code == 0 and "nothing to do" in result.output


def test_sla_command(app):
    # policy 2.1, 1.5: Friday 16:30 PT + 3 business hours = Monday 10:30 PT
    result = app.test_cli_runner().invoke(args=["portal", "sla", "--level", "PRO",
                                                "--opened", "2026-11-27T16:30-08:00"])
    assert result.exit_code == 0, result.output
    assert "2026-11-30" in result.output and "10:30" in result.output and "18:30" in result.output
    bad = app.test_cli_runner().invoke(args=["portal", "sla", "--level", "GOLD", "--opened", "2026-11-27T16:30-08:00"])
    assert bad.exit_code == 2 and "SITE" in bad.output


def test_migrate_to_stops_after_the_named_migration(tmp_path):
    """A rolling deploy applies the release's expands first and its contract later (docs/deployment.md)."""
    from portal.web import create_app
    from tests.conftest import app_env, drop_database, fresh_database_url
    url = fresh_database_url(tmp_path)
    try:
        fresh = create_app({"TESTING": True}, env=app_env(url, tmp_path))
        runner = fresh.test_cli_runner()
        first = runner.invoke(args=["portal", "migrate", "--to", "0017_search_catch_up"])
        assert first.exit_code == 0 and "applied: 0017_search_catch_up" in first.output, first.output
        assert "0018" not in first.output
        status = runner.invoke(args=["portal", "migrate", "--status"]).output
        assert "[x] 0017_search_catch_up" in status and "[ ] 0018_search_without_insert_triggers" in status
        rest = runner.invoke(args=["portal", "migrate"])
        applied = rest.output.strip().splitlines()  # the rest, in order, from 0018 on
        assert applied[0] == "applied: 0018_search_without_insert_triggers", rest.output
        assert all(line.startswith("applied: 00") for line in applied) and "0017" not in rest.output
        unknown = runner.invoke(args=["portal", "migrate", "--to", "0099_nothing"])
        assert unknown.exit_code == 2 and "no migration is called" in unknown.output
    finally:
        drop_database(url)
