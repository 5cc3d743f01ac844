"""Attachments: SVG/HTML never rendered inline, .js never served as script, path traversal in
names, over-size uploads, content that does not match its extension. Refusals store nothing."""
import io
import os
from pathlib import Path

import pytest

from portal.models import Attachment, AttachmentBlob, Message, Ticket
from tests.security.attack_helpers import HX, client_for, post, text, world  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload_dir(app):
    return Path(app.config["UPLOAD_DIR"])


def stored_files(app):
    """Every attachment's bytes the portal holds: disk files and database blobs (by stored name)."""
    folder = upload_dir(app)
    on_disk = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    with app.app_context():
        blobs = [a.stored_name for a in Attachment.select().join(AttachmentBlob).order_by(Attachment.id)]
    return on_disk + blobs


def counts(app):
    with app.app_context():
        return Ticket.select().count(), Message.select().count(), Attachment.select().count()


def reply_with(client, ticket_id, name, data, htmx=False):
    return post(client, f"/tickets/{ticket_id}/reply", {"body": "See the attached file.",
                                                        "files": [(io.BytesIO(data), name)]},
                htmx=htmx, content_type="multipart/form-data")


def assert_download_is_inert(response):
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    for bad in ("/", "\\", "\x00", "\r", "\n", '="."', '=".'):
        assert bad not in disposition.split("filename", 1)[1].replace("filename*=UTF-8''", ""), disposition


REFUSED = [
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "type"),
    ("page.html", b"<html><script>alert(1)</script></html>", "type"),
    ("page.htm", b"<script>alert(1)</script>", "type"),
    ("script.js", b"alert(document.cookie)", "type"),
    ("page.xhtml", b"<html/>", "type"),
    ("notes.txt", b"hello <svg onload=alert(1)>", "content"),
    ("notes.txt", b"<!DOCTYPE html><p>hi", "content"),
    ("notes.log", b"  < script >alert(1)</script>", "content"),
    ("shot.png", b"<html><script>alert(1)</script></html>", "content"),
    ("shot.png", b"\xff\xd8\xff\xe0 a jpeg", "content"),
    ("doc.pdf", b"<script>alert(1)</script>%PDF-1.4", "content"),
    ("pic.gif", b"<svg onload=alert(1)>", "content"),
    ("archive.zip", b"MZ\x90\x00 an exe", "content"),
    ("noext", b"plain", "type"),
    ("shot.png.html", PNG, "type"),
    ("shot.PNG.svg", PNG, "type"),
]


def test_refused_uploads_store_nothing(app, world, client_for):
    client = client_for(world.users["customer"])
    before, files = counts(app), stored_files(app)
    for name, data, why in REFUSED:
        for htmx in (False, True):
            response = reply_with(client, world.ids["ticket_id"], name, data, htmx=htmx)
            assert response.status_code in (200, 400), (name, why, response.status_code)
            assert 'class="error"' in text(response) and "file" in text(response).lower(), (name, why)
        assert counts(app) == before and stored_files(app) == files, (name, why)


TRAVERSAL = ["../../etc/passwd.txt", "..\\..\\win.ini.txt", "/etc/passwd.txt", "....//....//x.txt",
             "..%2F..%2Fx.txt", "a\x00.png.txt", "\u202etxt.exe.txt", "\uff0e\uff0e\uff0fx.txt",
             "C:\\Windows\\system.ini.txt", "CON.txt", ".htaccess.txt", "x" * 400 + ".txt"]


def test_path_traversal_in_file_names_stays_in_the_upload_folder(app, world, client_for, tmp_path):
    client = client_for(world.users["customer"])
    for name in TRAVERSAL:
        _upload_one(app, world, client, tmp_path, name)


def _upload_one(app, world, client, tmp_path, name):
    outside = sorted(os.listdir(tmp_path))
    response = reply_with(client, world.ids["ticket_id"], name, b"plain log line\n")
    assert response.status_code == 302, name
    with app.app_context():
        att = Attachment.select().order_by(Attachment.id.desc()).first()
    assert att.stored_name in stored_files(app) and len(att.stored_name) == 32
    assert all(c.isalnum() or c in "._-" for c in att.filename) and not att.filename.startswith(".")
    assert att.filename.endswith(".txt") and len(att.filename) <= 200
    assert sorted(os.listdir(tmp_path)) == outside  # nothing written beside the upload folder
    download = client.get(f"/tickets/{world.ids['ticket_id']}/attachments/{att.id}")
    assert_download_is_inert(download)
    assert download.data == b"plain log line\n"


@pytest.mark.parametrize("name,data", [("evil.svg", b"<svg onload=alert(1)>"), ("evil.html", b"<script>x</script>"),
                                       ("evil.js", b"alert(1)"), ("evil.txt", b"<html><script>alert(1)</script>")])
def test_even_a_stored_svg_html_or_js_is_only_ever_a_download(app, world, client_for, name, data):
    """Defence in depth: a row that got past the checks (older rules, an operator's allowlist)."""
    folder = upload_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("f" * 32)).write_bytes(data)
    with app.app_context():
        att = Attachment.create(ticket=world.ids["ticket_id"], message=world.ids["message_id"],
                                uploaded_by=world.users["customer"].id, filename=name, stored_name="f" * 32,
                                content_type="image/svg+xml", size=len(data))
    for who in ("customer", "staff"):
        response = client_for(world.users[who]).get(f"/tickets/{world.ids['ticket_id']}/attachments/{att.id}")
        assert_download_is_inert(response)
        assert "javascript" not in response.headers["Content-Type"] and "html" not in response.headers["Content-Type"]


def test_operator_allowing_svg_still_gets_no_markup_stored(app, world, client_for):
    app.config["UPLOAD_EXTENSIONS"] = app.config["UPLOAD_EXTENSIONS"] + ("svg", "html", "js")
    client = client_for(world.users["customer"])
    before = counts(app)
    for name, data in (("a.svg", b"<svg onload=alert(1)/>"), ("a.html", b"<html>"), ("a.svg", b"<?xml?><svg/>")):
        response = reply_with(client, world.ids["ticket_id"], name, data)
        assert response.status_code == 400, name
    assert counts(app) == before


def test_uploads_are_never_reachable_as_static_files(app, world, client_for):
    client = client_for(world.users["customer"])
    reply_with(client, world.ids["ticket_id"], "log.txt", b"plain log line\n")
    with app.app_context():
        att = Attachment.select().order_by(Attachment.id.desc()).first()
    for url in (f"/static/{att.stored_name}", f"/static/../instance/uploads/{att.stored_name}",
                f"/static/..%2f..%2finstance%2fuploads%2f{att.stored_name}", f"/uploads/{att.stored_name}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("htmx", [False, True])
def test_oversize_upload_is_refused_and_nothing_is_stored(app, world, client_for, htmx):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client = client_for(world.users["customer"])
    before, files = counts(app), stored_files(app)
    response = reply_with(client, world.ids["ticket_id"], "big.txt", b"a" * (200 * 1024), htmx=htmx)
    assert response.status_code == 413
    assert "larger than allowed" in text(response)
    new = client.get("/tickets/new")
    token = text(new).split('name="submit_token" value="', 1)[1].split('"', 1)[0]
    filed = post(client, "/tickets/new", {"product": "Remote Utilities", "subject": "Big upload", "body": "x" * 20,
                                          "accept_policy": "1", "submit_token": token,
                                          "files": [(io.BytesIO(b"a" * (200 * 1024)), "big.txt")]},
                 content_type="multipart/form-data")
    assert filed.status_code == 413
    assert counts(app) == before and stored_files(app) == files


def test_many_small_files_over_the_count_limit_store_nothing(app, world, client_for):
    client = client_for(world.users["customer"])
    before, files = counts(app), stored_files(app)
    many = [(io.BytesIO(b"line\n"), f"f{i}.txt") for i in range(6)]
    response = post(client, f"/tickets/{world.ids['ticket_id']}/reply", {"body": "Many files", "files": many},
                    content_type="multipart/form-data")
    assert response.status_code == 400 and "at most" in text(response)
    assert counts(app) == before and stored_files(app) == files
