"""Flask commands: `flask --app app portal migrate|demo|create-user|sla|...`."""
import datetime
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from playhouse.migrations import Runner

from portal import db as database
from portal.config import ROOT

portal_cli = AppGroup("portal", help="Support portal commands.")


def runner():
    """The playhouse migration runner over migrations/."""
    return Runner(database.db.obj, directory=str(ROOT / "migrations"))


def migrate_up():
    """Apply every pending migration; returns their names."""
    with database.db.connection_context():
        return runner().up()


@portal_cli.command("migrate")
@click.option("--down", is_flag=True, help="Revert the latest migration instead.")
@click.option("--status", is_flag=True, help="List migrations and whether they are applied.")
@click.option("--to", "target", default=None, metavar="NAME",
              help="Stop after this one (a rolling deploy applies the expands first, the contract later).")
def migrate_command(down, status, target):
    """Apply pending migrations (or revert one / show status)."""
    with database.db.connection_context():
        run = runner()
        if status:
            for m in run.status():
                click.echo(f"[{'x' if m.applied else ' '}] {m.name}")
            return
        if target is not None and target not in {m.name for m in run.status()}:
            raise click.BadParameter(f"no migration is called {target!r}", param_hint="--to")
        names = run.down() if down else run.up(target)
    click.echo("\n".join(f"{'reverted' if down else 'applied'}: {n}" for n in names) or "nothing to do.")


@portal_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["customer", "reseller", "staff", "admin"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
def create_user_command(email, role, password, name):
    """Create a verified account of any role (staff and resellers are made this way)."""
    from portal.services.accounts import create_user
    from portal.services.errors import ServiceError
    with database.db.connection_context():
        try:
            user = create_user(email, password, role, name)
        except ServiceError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)
    click.echo(f"created {user.role} {user.email}")


@portal_cli.command("demo")
@click.option("--password", default="demo-password", show_default=True,
              help="Password for every demo account.")
def demo_command(password):
    """Migrate and seed demo accounts, licenses and data (safe to run twice)."""
    from portal.demo import seed
    migrate_up()
    with database.db.connection_context():
        lines = seed(password)
    click.echo("\n".join(lines))
    click.echo(f"demo accounts use the password: {password}")


@portal_cli.command("sla")
@click.option("--level", required=True, help="SITE PRO PLUS STARTER RESELLER FREE TRIAL")
@click.option("--opened", required=True, help="ISO 8601 time with offset, e.g. 2026-11-27T16:30-08:00")
def sla_command(level, opened):
    """Print a request's first-response due time in Pacific time and UTC (policy 2.1, 1.5)."""
    try:
        opened_at = datetime.datetime.fromisoformat(opened)
        click.echo(current_app.extensions["runtime"].policy.sla_report(level.upper(), opened_at))
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def register(app):
    """Attach the command group to the app."""
    app.cli.add_command(portal_cli)


from portal import cli_orders, cli_partners, cli_storage  # noqa: E402,F401  (register their commands)


@portal_cli.command("refresh-levels")
def refresh_levels_command():
    """Recompute every customer's and reseller's support level (run daily: licenses expire and
    start on dates, policy 2.1, 3.4); an upgrade re-prioritises open requests (2.2)."""
    from portal.services.licenses import refresh_all
    with database.db.connection_context():
        seen, changed = refresh_all()
    click.echo(f"{seen} accounts checked, {changed} changed level.")


@portal_cli.command("send-mail")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop (cron, tests).")
def send_mail_command(once):
    """Deliver the outbox: queued mails with retries and backoff (runs beside the portal)."""
    import signal
    import threading
    from portal.mail import run_sender
    stop = threading.Event()
    if not once:  # uWSGI stops its attached daemon with SIGTERM: finish the mail in hand, then end
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    outcomes = run_sender(current_app._get_current_object(), once=once, stop=stop)
    if once:
        click.echo(f"{outcomes.count('sent')} sent, {outcomes.count('retry')} to retry, "
                   f"{outcomes.count('failed')} failed.")


@portal_cli.command("receive-mail")
@click.option("--host", default=None, help="Listen address (default PORTAL_MAIL_INBOUND_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default PORTAL_MAIL_INBOUND_PORT, 2525).")
def receive_mail_command(host, port):
    """Run the inbound SMTP server: replies to ticket mails become ticket replies (policy 4.3)."""
    from portal.inbound_server import serve
    app = current_app._get_current_object()
    click.echo(f"inbound mail on {host or app.config['MAIL_INBOUND_HOST']}:"
               f"{port or app.config['MAIL_INBOUND_PORT']}")
    serve(app, host, port)
