"""Attachments: allowlist, size, content signatures, storage outside static, safe downloads (issue 4)."""
import io
from pathlib import Path

import pytest

from portal.config import ROOT
from portal.models import Attachment, AttachmentBlob, Message, Ticket
from tests.tickets.conftest import post, submit_token, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%..."
ZIP = b"PK\x03\x04" + b"\x00" * 26
FORM = {"product": "Remote Utilities", "version": "", "subject": "Log attached here",
        "body": "Please see the attached log file.", "accept_policy": "1"}


def _file_ticket(client, *files):
    token = submit_token(text(client.get("/tickets/new")))
    data = FORM | {"submit_token": token, "files": [(io.BytesIO(d), n) for n, d in files]}
    return post(client, "/tickets/new", data, content_type="multipart/form-data")


@pytest.fixture
def pro(user, client_for):
    u = user(level="PRO")
    return u, client_for(u)


@pytest.mark.parametrize("store", ["database", "disk"])
@pytest.mark.parametrize("name,data", [("screen.png", PNG), ("doc.pdf", PDF), ("logs.zip", ZIP),
                                       ("host.log", "Connection lost at 10:02 — retrying\n".encode()),
                                       ("photo.JPG", b"\xff\xd8\xff\xe0rest")])
def test_allowed_files_are_stored_under_random_names_outside_static(app, pro, name, data, store):
    app.config["ATTACHMENT_STORE"] = store
    _, client = pro
    response = _file_ticket(client, (name, data))
    assert response.status_code == 302, text(response)
    att = Attachment.get()
    assert att.ticket_id == Ticket.get().id and att.message_id == Message.get().id
    assert att.stored_name != name and len(att.stored_name) == 32 and att.size == len(data)
    path = Path(app.config["UPLOAD_DIR"]) / att.stored_name
    if store == "disk":
        assert path.read_bytes() == data and not AttachmentBlob.select().exists()
        assert ROOT / "static" not in path.parents
    else:
        assert bytes(AttachmentBlob.get().data) == data and not path.exists()


@pytest.mark.parametrize("name,data,why", [
    ("tool.exe", b"MZ\x90\x00", "only these file types"),
    ("fake.png", b"GIF89a not a png", "does not match"),
    ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>", "does not match"),
    ("svg.log", b"hello <svg onload=alert(1)>", "does not match"),
    ("bin.txt", b"\xff\xfe\x00\x00binary", "does not match"),
    ("empty.txt", b"", "empty"),
    ("noext", b"plain text", "only these file types"),
])
def test_refused_files_write_nothing(app, pro, name, data, why):
    _, client = pro
    response = _file_ticket(client, (name, data))
    assert response.status_code == 400 and why in text(response)
    assert 'id="e-files"' in text(response)
    assert Ticket.select().count() == 0 and Attachment.select().count() == 0
    assert AttachmentBlob.select().count() == 0
    folder = Path(app.config["UPLOAD_DIR"])
    assert not folder.exists() or not any(folder.iterdir())


def test_too_large_upload_answers_413(app, pro):
    _, client = pro
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = _file_ticket(client, ("big.txt", b"a" * 4096))
    assert response.status_code == 413 and Ticket.select().count() == 0


def test_per_file_limit(app, pro, in_app):
    from portal.services import attachments
    from portal.services.errors import FieldError
    with app.app_context():
        app.config["MAX_CONTENT_LENGTH"] = 100
        with pytest.raises(FieldError, match="larger than") as refused:
            attachments.check_upload(attachments.Incoming("a.txt", b"a" * 101))
        assert refused.value.field == "files"


def test_download_is_always_an_attachment_with_a_safe_name(pro):
    _, client = pro
    _file_ticket(client, ("../../etc/passwd évil name.txt", b"just text\n"))
    att, t = Attachment.get(), Ticket.get()
    assert att.filename == "etc_passwd_evil_name.txt"
    response = client.get(f"/tickets/{t.id}/attachments/{att.id}")
    assert response.status_code == 200 and response.data == b"just text\n"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "etc_passwd_evil_name.txt" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    page = text(client.get(f"/tickets/{t.id}"))
    assert f"/tickets/{t.id}/attachments/{att.id}" in page


def test_fallback_name_when_nothing_safe_is_left(pro):
    _, client = pro
    _file_ticket(client, ("Скриншот.png", PNG))
    assert Attachment.get().filename == "attachment.png"


def test_attachments_on_internal_notes_stay_with_staff(app, user, ticket, client_for, in_app):
    from portal.services import attachments
    from portal.services import tickets as service
    owner, agent = user(level="PRO"), user(role="staff")
    t = ticket(owner)
    in_app(service.add_reply, t, agent, "Internal analysis", internal=True,
           files=[attachments.Incoming("analysis.png", PNG)])
    att = Attachment.get()
    assert client_for(owner).get(f"/tickets/{t.id}/attachments/{att.id}").status_code == 404
    assert client_for(agent).get(f"/tickets/{t.id}/attachments/{att.id}").status_code == 200


def test_reply_with_attachment(pro, ticket):
    owner, client = pro
    t = ticket(owner)
    response = post(client, f"/tickets/{t.id}/reply",
                    {"body": "Log attached", "files": [(io.BytesIO(b"line 1\n"), "viewer.log")]},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    att = Attachment.get()
    assert att.message.body == "Log attached" and "viewer.log" in text(client.get(f"/tickets/{t.id}"))
