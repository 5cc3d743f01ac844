"""Attachments without node-local state: the database and disk stores, rollback, downloads
through the store, the fallback to disk files, the move command, and two apps with different
upload folders on one database (the in-process version of the cluster's cross-node test)."""
import io
from pathlib import Path

import pytest

from portal import db as database
from portal.models import Attachment, AttachmentBlob, Ticket
from portal.services import attachments, file_store
from portal.services import tickets as ticket_service
from tests import factories
from tests.conftest import app_env

LOG = b"Connection lost at 10:02, retrying\n"
ZIP = b"PK\x03\x04" + bytes(range(256)) * 40  # every byte value: nothing is decoded on the way


def _file(app, owner, data=LOG, name="host.log", **kwargs):
    with app.app_context():
        return ticket_service.create_ticket(owner, "Remote Utilities", "", "Log attached here",
                                            "Please see the attached log file.", accept_policy=True,
                                            files=[attachments.Incoming(name, data)], **kwargs)


@pytest.fixture
def owner(app):
    with app.app_context():
        return factories.make_user(level="PRO")


def _disk_files(app):
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("store", ["database", "disk"])
def test_each_store_keeps_the_bytes_where_it_says(app, owner, store):
    app.config["ATTACHMENT_STORE"] = store
    ticket = _file(app, owner, ZIP, "logs.zip")
    att = Attachment.get(Attachment.ticket == ticket.id)
    blob = AttachmentBlob.get_or_none(AttachmentBlob.attachment == att.id)
    if store == "database":
        assert bytes(blob.data) == ZIP and _disk_files(app) == []
    else:
        assert blob is None and _disk_files(app) == [att.stored_name]
    with app.app_context():
        assert attachments.read_bytes(att) == ZIP


def test_the_default_store_is_the_database(app):
    from portal.config import load_config
    assert load_config(app_env("sqlite:///x.db", Path("/tmp")))["ATTACHMENT_STORE"] == "database"
    from portal.config import ConfigError
    with pytest.raises(ConfigError, match="PORTAL_ATTACHMENT_STORE"):
        load_config(app_env("sqlite:///x.db", Path("/tmp")) | {"PORTAL_ATTACHMENT_STORE": "s3"})


@pytest.mark.parametrize("store", ["database", "disk"])
def test_a_failed_ticket_write_leaves_no_bytes_anywhere(app, owner, store, monkeypatch):
    app.config["ATTACHMENT_STORE"] = store

    def broken(*args, **kwargs):
        raise RuntimeError("the mail notice could not be written")
    monkeypatch.setattr(ticket_service.mail_notices, "later", broken)  # after the files, in the transaction
    with pytest.raises(RuntimeError):
        _file(app, owner)
    assert Ticket.select().count() == 0 and Attachment.select().count() == 0
    assert AttachmentBlob.select().count() == 0 and _disk_files(app) == []


def test_the_database_store_writes_only_inside_a_transaction(app):
    with app.app_context(), pytest.raises(RuntimeError, match="transaction"):
        file_store.DatabaseStore().save(Attachment(id=1), b"x")


@pytest.mark.parametrize("store", ["database", "disk"])
def test_download_streams_from_the_store_with_every_header(app, owner, login, store):
    app.config["ATTACHMENT_STORE"] = store
    ticket = _file(app, owner, ZIP, "logs.zip")
    att = Attachment.get(Attachment.ticket == ticket.id)
    response = login(owner, app.test_client()).get(f"/tickets/{ticket.id}/attachments/{att.id}")
    assert response.status_code == 200 and response.data == ZIP
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "logs.zip" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert int(response.headers["Content-Length"]) == len(ZIP)


def test_bytes_gone_from_both_places_answer_404(app, owner, login):
    ticket = _file(app, owner)
    att = Attachment.get(Attachment.ticket == ticket.id)
    AttachmentBlob.delete().execute()
    assert login(owner, app.test_client()).get(f"/tickets/{ticket.id}/attachments/{att.id}").status_code == 404


def test_a_row_written_by_the_disk_store_is_read_from_disk_under_the_database_store(app, owner, login):
    # a rolling switch: rows written before it have their file on disk and no blob
    app.config["ATTACHMENT_STORE"] = "disk"
    ticket = _file(app, owner)
    app.config["ATTACHMENT_STORE"] = "database"
    att = Attachment.get(Attachment.ticket == ticket.id)
    assert not AttachmentBlob.select().exists()
    response = login(owner, app.test_client()).get(f"/tickets/{ticket.id}/attachments/{att.id}")
    assert response.status_code == 200 and response.data == LOG


def test_listing_a_ticket_never_reads_the_bytes(app, owner, login):
    ticket = _file(app, owner, ZIP, "logs.zip")
    client = login(owner, app.test_client())
    with factories.counting_queries() as seen:
        page = client.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200 and b"logs.zip" in page.data
    assert not [sql for sql in seen if "attachment_blob" in sql]


def _move(app, *args):
    return app.test_cli_runner().invoke(args=["portal", "attachments-to-database", *args])


def test_the_move_command_copies_disk_files_into_the_table_and_is_idempotent(app, owner, login):
    app.config["ATTACHMENT_STORE"] = "disk"
    first, second = _file(app, owner, LOG), _file(app, owner, ZIP, "logs.zip")
    gone = _file(app, owner, b"lost file\n", "lost.txt")
    lost = Attachment.get(Attachment.ticket == gone.id)
    (Path(app.config["UPLOAD_DIR"]) / lost.stored_name).unlink()
    app.config["ATTACHMENT_STORE"] = "database"
    result = _move(app)
    assert result.exit_code == 1, result.output  # one row has no file on this disk
    assert "2 moved, 0 already in the database, 1 without a file on this disk, 0 files removed." in result.output
    assert lost.stored_name in result.output
    blobs = {b.attachment_id: bytes(b.data) for b in AttachmentBlob.select()}
    by_ticket = {a.ticket_id: a.id for a in Attachment.select()}
    assert blobs == {by_ticket[first.id]: LOG, by_ticket[second.id]: ZIP}
    again = _move(app, "--remove-files")
    assert "0 moved, 2 already in the database, 1 without a file on this disk, 0 files removed." in again.output
    assert len(_disk_files(app)) == 2  # kept: copied by the first run, removal asked for only now
    # and a run that moves and removes: the disk is then empty, downloads still work
    AttachmentBlob.delete().where(AttachmentBlob.attachment == by_ticket[first.id]).execute()
    third = _move(app, "--remove-files")
    assert "1 moved, 1 already in the database, 1 without a file on this disk, 1 files removed." in third.output
    att = Attachment.get(Attachment.ticket == first.id)
    assert att.stored_name not in _disk_files(app)
    response = login(owner, app.test_client()).get(f"/tickets/{first.id}/attachments/{att.id}")
    assert response.data == LOG


def test_two_apps_with_different_upload_folders_on_one_database_see_the_same_file(app, db_url, tmp_path, login):
    # the cluster's two nodes, in one process: node B never saw node A's disk
    from portal.web import create_app
    node_b = create_app({"TESTING": True}, env=app_env(db_url, tmp_path / "node-b"))
    assert node_b.config["UPLOAD_DIR"] != app.config["UPLOAD_DIR"]
    with app.app_context():
        owner = factories.make_user(level="PRO")
    client_a = login(owner, app.test_client())
    token = factories.csrf_token(client_a, "/tickets/new")
    new = client_a.get("/tickets/new").get_data(as_text=True)
    submit = new.split('name="submit_token" value="', 1)[1].split('"', 1)[0]
    filed = client_a.post("/tickets/new", data={
        "csrf_token": token, "submit_token": submit, "product": "Remote Utilities", "version": "",
        "subject": "Log attached here", "body": "Please see the attached log file.", "accept_policy": "1",
        "files": [(io.BytesIO(ZIP), "logs.zip")]}, content_type="multipart/form-data")
    assert filed.status_code == 302, filed.data[:300]
    att = Attachment.get()
    database.close_connection()
    client_b = login(owner, node_b.test_client())
    response = client_b.get(f"/tickets/{att.ticket_id}/attachments/{att.id}")
    assert response.status_code == 200 and response.data == ZIP
    assert not (tmp_path / "node-b" / "uploads").exists() or not any((tmp_path / "node-b" / "uploads").iterdir())
