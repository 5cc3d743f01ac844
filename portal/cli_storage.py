"""`flask --app app portal attachments-to-database | backup DIR | restore DIR`
(docs/operations.md, Attachments and Backups). The work is in portal/services/file_store.py and
portal/services/backup.py; these commands pass the settings in and print what was done."""
import sys
from pathlib import Path

import click
from flask import current_app

from portal import db as database
from portal.cli import portal_cli


@portal_cli.command("attachments-to-database")
@click.option("--remove-files", is_flag=True,
              help="Delete each disk file once its copy in the database has committed and reads back the same.")
def attachments_to_database_command(remove_files):
    """Copy attachments stored on this machine's disk into the database (safe to run again)."""
    from portal.services import file_store
    with database.db.connection_context():
        report = file_store.move_to_database(remove_files=remove_files)
    click.echo(f"{report.moved} moved, {report.already} already in the database, "
               f"{len(report.missing)} without a file on this disk, {report.removed} files removed.")
    for name in report.missing:  # another node's disk may hold them: run the command there too
        click.echo(f"no file for {name}", err=True)
    sys.exit(1 if report.missing else 0)


def _target():
    """The configured database, and the disk store's folder (copied whatever the store: rows
    written before a switch to the database store are still read from there)."""
    from portal.services import backup
    return backup.Target(current_app.config["DATABASE_URL"], Path(current_app.config["UPLOAD_DIR"]))


@portal_cli.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder):
    """Back up the database, disk-stored attachments and a manifest into FOLDER (new or empty)."""
    from portal.db import utcnow
    from portal.services import backup
    from portal.services.errors import ServiceError
    target = _target()
    try:
        manifest = backup.backup(target, folder, utcnow())
    except ServiceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    rows = sum(manifest["tables"].values())
    click.echo(f"backed up {manifest['database']} at {manifest['migration_head']}: {rows} rows in "
               f"{len(manifest['tables'])} tables, {len(manifest['files'])} files, into {folder}")
    click.echo("not in the backup: PORTAL_SECRET_KEY and PORTAL_CREDENTIALS_KEY (keep the key apart)")


@portal_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(folder, force):
    """Restore a backup made by `portal backup` into the configured (empty) database."""
    from portal.services import backup
    from portal.services.errors import ServiceError
    database.close_connection()  # the restore works on its own connections
    target = _target()
    try:
        manifest, counts = backup.restore(target, folder, force=force)
    except ServiceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"restored {sum(counts.values())} rows in {len(counts)} tables from {manifest['created_at']} "
               f"({manifest['migration_head']}); row counts match the manifest.")
    known = backup.known_migrations()[-1]
    if manifest["migration_head"] != known:
        click.echo(f"this code is at {known}: run `flask --app app portal migrate` before serving.")
