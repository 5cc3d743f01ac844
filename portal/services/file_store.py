"""Where attachments' bytes live: the database (every app node reads what any node stored) or
one machine's disk (PORTAL_ATTACHMENT_STORE=database|disk, docs/operations.md, Attachments).

A store is used in three steps around the write transaction (portal/services/attachments.py):
`prepare(uploads)` before it (the disk store writes the files there, so a slow disk never
holds the database lock) returns the stored names; `save(attachment, data)` inside it, after
the Attachment row (the database store writes the blob there, so a rolled-back ticket leaves
no bytes behind); `discard(names)` after a failed transaction (the disk store removes its
files). `open(attachment)` gives a binary file object to stream, or None.
"""
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from portal import db as database
from portal.models import Attachment, AttachmentBlob
from portal.services import setting

STORES = ("database", "disk")


def upload_dir():
    """The disk store's folder (outside static/), created on first use."""
    folder = Path(setting("UPLOAD_DIR"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _disk_file(stored_name):
    """The disk file of a stored name, or None when there is none."""
    path = Path(setting("UPLOAD_DIR")) / stored_name
    return path if path.is_file() else None


def _new_name():
    return secrets.token_hex(16)


class DiskStore:
    """Files in PORTAL_UPLOAD_DIR: for a single machine only (another node has another disk)."""
    name = "disk"

    def prepare(self, uploads):
        folder, names = upload_dir(), []
        for upload in uploads:
            name = _new_name()
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(upload.data)
            names.append(name)
        return names

    def save(self, attachment, data):
        """The file was written by prepare()."""

    def discard(self, names):
        folder = Path(setting("UPLOAD_DIR"))
        for name in names:
            try:
                (folder / name).unlink()
            except FileNotFoundError:
                pass

    def open(self, attachment):
        path = _disk_file(attachment.stored_name)
        if path is not None:
            return path.open("rb")
        data = _blob(attachment.id)  # switched back from the database store
        return None if data is None else io.BytesIO(data)


class DatabaseStore:
    """Bytes in attachment_blob, written in the Attachment row's transaction. Rows whose bytes
    are not there (written by the disk store before a switch) are read from the disk file."""
    name = "database"

    def prepare(self, uploads):
        return [_new_name() for _ in uploads]

    def save(self, attachment, data):
        if not database.db.in_transaction():
            raise RuntimeError("the database store writes inside the Attachment row's transaction")
        AttachmentBlob.create(attachment=attachment, data=data)

    def discard(self, names):
        """Nothing to do: the blobs were rolled back with their rows."""

    def open(self, attachment):
        data = _blob(attachment.id)
        if data is not None:
            return io.BytesIO(data)
        path = _disk_file(attachment.stored_name)  # a rolling switch: older rows are still on disk
        return path.open("rb") if path else None


def current():
    """The store PORTAL_ATTACHMENT_STORE names (database unless set)."""
    return DiskStore() if setting("ATTACHMENT_STORE", "database") == "disk" else DatabaseStore()


def read_bytes(attachment):
    """An attachment's bytes from wherever they are, or None."""
    handle = DatabaseStore().open(attachment)
    if handle is None:
        return None
    with handle:
        return handle.read()


@dataclass
class MoveReport:
    """What `portal attachments-to-database` did: moved now, in the table already, no file
    found on disk (listed by stored name), and disk files removed after their move."""
    moved: int = 0
    already: int = 0
    missing: tuple = ()
    removed: int = 0


def _blob(attachment_id):
    data = (AttachmentBlob.select(AttachmentBlob.data)
            .where(AttachmentBlob.attachment == attachment_id).scalar())
    return None if data is None else bytes(data)


def move_to_database(remove_files=False):
    """Copy every disk-stored attachment into attachment_blob, one transaction each (idempotent:
    an attachment whose blob exists is left alone). With `remove_files`, a file is deleted once
    its blob has committed and reads back the same."""
    report, missing = MoveReport(), []
    has_blob = fn.EXISTS(AttachmentBlob.select(AttachmentBlob.attachment)
                         .where(AttachmentBlob.attachment == Attachment.id))
    report.already = Attachment.select().where(has_blob).count()
    todo = Attachment.select(Attachment.id, Attachment.stored_name).where(~has_blob).order_by(Attachment.id)
    for attachment in list(todo):
        path = _disk_file(attachment.stored_name)
        if path is None:
            missing.append(attachment.stored_name)
            continue
        data = path.read_bytes()
        with database.write_tx():  # a second run at the same time inserts nothing (the key)
            query = AttachmentBlob.insert(attachment=attachment.id, data=data).on_conflict_ignore()
            inserted = database.db.execute(query).rowcount
        if inserted == 1:
            report.moved += 1
        else:
            report.already += 1
        if remove_files and _blob(attachment.id) == data:
            path.unlink()
            report.removed += 1
    report.missing = tuple(missing)
    return report
