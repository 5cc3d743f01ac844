"""`flask --app app portal import-orders FILE`: orders and licenses from CSV (policy 4.5)."""
import sys

import click

from portal import db as database
from portal.cli import portal_cli


@portal_cli.command("import-orders")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_orders_command(path):
    """Import orders from a CSV file; bad rows are reported by line number, good rows are kept."""
    from portal.services.orders import decode_upload, import_orders
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = decode_upload(data)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    with database.db.connection_context():
        result = import_orders(text)
    for line, message in result.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(result.summary(", ").replace("Added", "added", 1))
    for email in result.attached:
        click.echo(f"attached to verified account {email}")
    sys.exit(1 if result.errors else 0)
