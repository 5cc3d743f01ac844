"""`flask --app app portal create-partner`: a partner with its first manager (policy 3.1 Decision)."""
import sys

import click

from portal import db as database
from portal.cli import portal_cli


@portal_cli.command("create-partner")
@click.option("--name", required=True, help="The partner's company name.")
@click.option("--number", required=True, help="The partner number, e.g. P-1001.")
@click.option("--manager-email", required=True,
              help="The first manager: a new reseller account, or an existing one that belongs to no partner.")
@click.option("--manager-name", default="", help="The new manager account's name.")
@click.option("--password", default=None,
              help="Initial password of a new manager account (asked for when the account is new and none is given).")
def create_partner_command(name, number, manager_email, manager_name, password):
    """Create a partner and its first manager (the admin page /admin/partners does the same)."""
    from portal.models import User
    from portal.services.errors import ServiceError
    from portal.services.partners import create_partner
    with database.db.connection_context():
        existing = User.get_or_none(User.email == manager_email.strip().lower())
        if existing is None and password is None:
            password = click.prompt("Initial password of the new manager account", hide_input=True,
                                    confirmation_prompt=True)
        try:
            partner = create_partner(None, name, number, manager_email, manager_name, password)
        except ServiceError as exc:
            for field, message in exc.errors.items():
                click.echo(f"error: {field}: {message}", err=True)
            sys.exit(1)
    click.echo(f"created partner {partner.name} ({partner.number}) with manager {manager_email.strip().lower()}")
