"""`portal backup DIR` and `portal restore DIR`: a round trip into an empty database compares every
table row by row (the search tables included) and every attachment's bytes; restore checks the
manifest and refuses to overwrite data. On SQLite, and on PostgreSQL with
PORTAL_TEST_DATABASE_URL (the restore goes into a new schema of the same name, the original
renamed aside for the comparison)."""
import datetime
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from portal import db as database
from portal.cli import migrate_up
from portal.db import utcnow
from portal.models import (ALL_MODELS, Attachment, AuditLog, Bug, CannedReply, CredentialView, InboundMail,
                           MailAttempt, MailPreference, OutboxAttachment, OutboxMail, PartnerInvite, Presence,
                           RemoteSession, TicketParticipant)
from portal.services import attachments, backup, credentials, forum, search_index
from portal.services import tickets as ticket_service
from portal.services.orders import add_release
from tests import factories
from tests.conftest import PG_URL, app_env, drop_database, fresh_database_url

# tables that are not models: the migration history, and the two full-text indexes, which are
# derived (triggers and the forum service keep them in step) but real tables, so copied and compared
# and (SQLite) the ticket search index's marks, copied with it
EXTRA_TABLES = {"schema_migration", "forum_search", "ticket_search"} | ({"search_mark"} if not PG_URL else set())
LOG = b"Connection lost at 10:02, retrying\n"
ZIP = b"PK\x03\x04" + bytes(range(256)) * 40


def _app(url, folder):
    from portal.web import create_app
    return create_app({"TESTING": True}, env=app_env(url, folder))


@pytest.fixture
def source(tmp_path):
    """A migrated database of this test's own (a PostgreSQL schema the test may rename)."""
    url = fresh_database_url(tmp_path / "source")
    (tmp_path / "source").mkdir(exist_ok=True)
    database.bind(url)
    migrate_up()
    yield url
    database.close_connection()
    _close_pool()
    drop_database(url)
    if PG_URL:
        drop_database(url + "_before")


def _close_pool():
    if hasattr(database.db.obj, "close_all"):
        database.db.obj.close_all()


def seed(app):
    """Every model's table gets rows, through the services where they write them."""
    with app.app_context():
        partner, (manager, member) = factories.make_partner(members=1)
        PartnerInvite.create(partner=partner, email="new@partner.test", role="member", token_hash="h" * 64,
                             invited_by=manager, expires_at=utcnow() + datetime.timedelta(days=7))
        customer, agent = factories.make_user(level="PRO"), factories.make_user(role="staff")
        add_release("Remote Utilities", "8.1.0.3")
        bug = Bug.create(title="Viewer crashes on resize")
        ticket = ticket_service.create_ticket(customer, "Remote Utilities", "8.1.0.3", "Viewer cannot connect",
                                              "The Viewer does not connect after the update.", accept_policy=True,
                                              files=[attachments.Incoming("logs.zip", ZIP)])
        app.config["ATTACHMENT_STORE"] = "disk"  # an older row still on disk: the backup copies the folder
        ticket_service.add_reply(ticket, customer, "Here is the log as well.",
                                 files=[attachments.Incoming("host.log", LOG)])
        app.config["ATTACHMENT_STORE"] = "database"
        ticket_service.add_reply(ticket, agent, "Please try the new build.")  # mailed: outbox rows
        TicketParticipant.create(ticket=ticket, user=member)
        session = RemoteSession.create(ticket=ticket, requested_by=customer, agent=agent, status="scheduled",
                                       starts_at=utcnow() + datetime.timedelta(days=1))
        credentials.store_credentials(ticket, customer, "123-456-789", "hunter2-secret", "the office PC")
        from portal.models import Credential
        CredentialView.create(credential=Credential.get(), viewer=agent)
        thread = factories.make_thread(customer, title="How do I install the Host?",
                                       body="Step by step, please, with the installer.")
        forum.reply(agent, thread, "Run the installer and follow the wizard.")
        AuditLog.create(actor=agent, action="reply", object_type="ticket", object_id=str(ticket.id),
                        detail="with an accent: café")
        CannedReply.create(key="thanks", title="Thanks", body="Thank you for the details.")
        Presence.create(kind="ticket", object_id=ticket.id, user=agent)
        mail = OutboxMail.create(to=customer.email, subject="Your session", text="See the invite.", token="t" * 32)
        OutboxAttachment.create(mail=mail, filename="session.ics", content_type="text/calendar; method=REQUEST",
                                data=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        MailAttempt.create(mail=mail, outcome="retry", answer="451 try later")
        MailPreference.create(user=customer, kind="staff_reply", enabled=False)
        InboundMail.create(message_key="<abc@mail.test>", sender=customer.email, ticket_id=ticket.id,
                           outcome="stored")
        Bug.update(status="open").where(Bug.id == bug.id).execute()
        search_index.catch_up()  # as the sender's round does: the SQLite search index holds the tickets
        del session
        return {a.id: attachments.read_bytes(a) for a in Attachment.select()}


# -- reading every table of a database, without the app ------------------------------------

def _value(v):
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def _pg_conn(url):
    return backup._pg_connect(url)


def tables_and_rows(url, schema=None):
    """{table: sorted rows} of every table (FTS5 shadow tables aside: their virtual table's rows
    are compared)."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            names = backup._sqlite_tables(conn)
            virtual = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
            return {t: sorted((tuple(map(_value, r)) for r in conn.execute(
                f'SELECT {"rowid, " if t in virtual else ""}* FROM "{t}"')), key=repr) for t in names}
    with closing(_pg_conn(url)) as conn, conn.cursor() as cur:
        schema = schema or backup._pg(url).schema
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))
        names = [r[0] for r in cur.fetchall()]
        found = {}
        for t in names:
            cur.execute(f'SELECT * FROM "{schema}"."{t}"')
            found[t] = sorted((tuple(map(_value, r)) for r in cur.fetchall()), key=repr)
        return found


def _empty_target(source_url, tmp_path):
    """Where the restore goes: a new SQLite file, or (PostgreSQL) the source's schema name once the
    source is renamed aside, so the dump's schema is restored into a schema that does not exist."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'restored' / 'portal.db'}", None
    schema = backup._pg(source_url).schema
    database.close_connection()
    _close_pool()
    with closing(_pg_conn(PG_URL)) as conn:
        conn.autocommit = True
        conn.cursor().execute(f'ALTER SCHEMA "{schema}" RENAME TO "{schema}_before"')
    return source_url, f"{schema}_before"


def test_round_trip_into_an_empty_database_keeps_every_row_and_every_file(source, tmp_path):
    app = _app(source, tmp_path / "source")
    files = seed(app)
    with app.app_context():
        database.db.connect(reuse_if_open=True)
        empty = [m._meta.table_name for m in ALL_MODELS if not m.select().exists()]
    assert empty == []  # the seed reaches every table, so a table left out of the backup shows
    disk_files = sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).iterdir())
    assert len(disk_files) == 1
    before = tables_and_rows(source)
    assert {m._meta.table_name for m in ALL_MODELS} | EXTRA_TABLES == set(before)
    assert all(before[t] for t in ("forum_search", "ticket_search"))

    folder = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["portal", "backup", str(folder)])
    assert result.exit_code == 0, result.output
    assert "PORTAL_CREDENTIALS_KEY" in result.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"] == ("postgresql" if PG_URL else "sqlite")
    assert manifest["migration_head"] == backup.known_migrations()[-1]
    assert manifest["tables"] == {t: len(rows) for t, rows in before.items()}
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {backup.PG_FILE if PG_URL else backup.SQLITE_FILE, f"uploads/{disk_files[0]}"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    secrets = (app.config["SECRET_KEY"], app.config["CREDENTIALS_KEY"])
    for path in folder.rglob("*"):
        if path.is_file():
            assert not any(s.encode() in path.read_bytes() for s in secrets), path  # keys stay out

    target_url, renamed = _empty_target(source, tmp_path)
    restored_app = _app(target_url, tmp_path / "restored")
    result = restored_app.test_cli_runner().invoke(args=["portal", "restore", str(folder)])
    assert result.exit_code == 0, result.output
    assert "row counts match the manifest" in result.output
    after = tables_and_rows(target_url)
    original = tables_and_rows(source, renamed) if renamed else before
    assert set(after) == set(original)
    for table in original:
        assert after[table] == original[table], table
    with restored_app.app_context():
        database.db.connect(reuse_if_open=True)
        restored_files = {a.id: attachments.read_bytes(a) for a in Attachment.select()}
        from portal.models import Credential
        plain = credentials.reveal(Credential.get(), factories.make_user(role="staff"))
    assert restored_files == files and set(files.values()) == {ZIP, LOG}
    assert "hunter2-secret" in str(plain)  # the same key (from the environment) reads them
    again = restored_app.test_cli_runner().invoke(args=["portal", "restore", str(folder)])
    assert again.exit_code == 1 and "not empty" in again.output
    forced = restored_app.test_cli_runner().invoke(args=["portal", "restore", "--force", str(folder)])
    assert forced.exit_code == 0, forced.output
    database.close_connection()


def test_a_restore_refuses_what_it_cannot_trust(source, tmp_path):
    target = backup.Target(source, tmp_path / "uploads")
    bare = tmp_path / "not-a-backup"
    bare.mkdir()
    with pytest.raises(backup.BackupError, match="no manifest.json"):
        backup.restore(target, bare)
    folder = tmp_path / "backup"
    backup.backup(target, folder, utcnow())
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(target, folder, utcnow())
    manifest = json.loads((folder / "manifest.json").read_text())
    newer = tmp_path / "newer"
    shutil.copytree(folder, newer)
    (newer / "manifest.json").write_text(json.dumps(manifest | {"migration_head": "9999_from_the_future"}))
    with pytest.raises(backup.BackupError, match="newer than this code knows"):
        backup.restore(target, newer)
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    dump = damaged / manifest["files"][0]["path"]
    dump.write_bytes(dump.read_bytes()[:-10] + b"x" * 10)
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(target, damaged)


def test_an_old_pg_dump_is_named_in_the_error(monkeypatch):
    if shutil.which("pg_dump"):
        assert backup._tool_major("pg_dump")[0] >= 15  # this machine's client reads as a number
    monkeypatch.setattr(backup, "_tool_major", lambda tool: (14, f"{tool} (PostgreSQL) 14.11"))
    with pytest.raises(backup.BackupError, match="pg_dump .*14.11 is older than the PostgreSQL 15 server"):
        backup.check_client("pg_dump", 15)


def test_the_url_is_taken_apart_for_libpq_without_the_password():
    pg = backup._pg("postgresql://portal:s%40cret@db.internal:5432/portal?options=-csearch_path%3Dt_abc")
    assert pg.password == "s@cret" and "s@cret" not in pg.uri and "cret" not in pg.uri
    assert pg.schema == "t_abc" and pg.uri.startswith("postgresql://portal@db.internal:5432/portal?")
    assert backup._pg("postgres://u@h/db").schema is None


def test_several_server_options_reach_libpq_as_they_were_written():
    """libpq reads %20 as a space but "+" as a plus: two -c options must not become one bad value."""
    pg = backup._pg("postgresql://u@h/db?options=-csynchronous_commit%3Doff%20-csearch_path%3Dt_abc")
    assert pg.schema == "t_abc"
    assert pg.uri == "postgresql://u@h/db?options=-csynchronous_commit%3Doff%20-csearch_path%3Dt_abc"
