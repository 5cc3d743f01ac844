"""Ticket attachments: allowlisted types, size limits, content signatures, random stored names."""
import re
import unicodedata
from dataclasses import dataclass

from portal.services.errors import FieldError
from portal.services import file_store, setting
from portal.models import Attachment

MAX_FILES = 5

# Magic numbers per extension; an upload must start with one of them.
SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "pdf": (b"%PDF-",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
                 "pdf": "application/pdf", "zip": "application/zip"}
# Text that a browser could take for markup is refused even as a download.
HTML_LIKE = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|link|style)\b",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Incoming:
    """A file as it arrived: the name the browser gave it and its bytes (read by the web layer)."""
    filename: str
    data: bytes


def _refuse(message):
    return FieldError("files", message)


@dataclass
class Upload:
    """A checked upload waiting to be stored."""
    filename: str
    content_type: str
    data: bytes


def _extension(name):
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def plain_name(original):
    """ASCII letters, digits, `_`, `.` and `-` only, no path and no leading dot: accents dropped,
    path separators and blanks made `_` ("../../etc/passwd évil.txt" -> "etc_passwd_evil.txt")."""
    name = unicodedata.normalize("NFKD", original or "").encode("ascii", "ignore").decode("ascii")
    name = "_".join(name.replace("/", " ").split())
    return _UNSAFE.sub("", name).strip("._")


def safe_name(original, ext):
    """A download name that is safe on every system: plain_name, or a plain fallback."""
    name = plain_name(original)
    if not name or _extension(name) != ext:
        name = f"attachment.{ext}"
    if len(name) > 200:
        name = name[:190 - len(ext)] + "." + ext
    return name


def _content_ok(ext, data):
    if ext in SIGNATURES:
        return data.startswith(SIGNATURES[ext])
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not HTML_LIKE.search(data)


def check_upload(incoming):
    """Check one Incoming file; returns an Upload or raises FieldError("files", why)."""
    original = incoming.filename or ""
    ext = _extension(original)
    allowed = setting("UPLOAD_EXTENSIONS")
    if ext not in allowed:
        raise _refuse(f"{original or 'The file'}: only these file types are accepted: {', '.join(allowed)}.")
    limit, data = setting("MAX_CONTENT_LENGTH"), incoming.data
    if not data:
        raise _refuse(f"{original}: the file is empty.")
    if len(data) > limit:
        raise _refuse(f"{original}: the file is larger than {limit // (1024 * 1024)} MB.")
    if not _content_ok(ext, data):
        raise _refuse(f"{original}: the content does not match a .{ext} file.")
    return Upload(safe_name(original, ext), CONTENT_TYPES.get(ext, "text/plain"), data)


def check_uploads(files):
    """Check every Incoming file that has a name; returns Uploads or raises FieldError("files", why)."""
    present = [f for f in files if f is not None and f.filename]
    if len(present) > MAX_FILES:
        raise _refuse(f"Attach at most {MAX_FILES} files at a time.")
    return [check_upload(f) for f in present]


def upload_dir():
    """The disk store's folder (outside static/), created on first use."""
    return file_store.upload_dir()


def write_files(uploads):
    """Before the write transaction: the store's names for checked uploads (the disk store
    writes the files now); the bytes of the database store are written by record()."""
    return file_store.current().prepare(uploads)


def remove_files(names):
    """After a failed write transaction: the disk store deletes the files it wrote (the
    database store's blobs went with the rolled-back rows)."""
    file_store.current().discard(names)


def record(ticket, message, user, uploads, names):
    """Attachment rows (and, for the database store, their bytes) for prepared uploads: call
    inside the write transaction."""
    store, rows = file_store.current(), []
    for upload, name in zip(uploads, names):
        row = Attachment.create(ticket=ticket, message=message, uploaded_by=user, filename=upload.filename,
                                stored_name=name, content_type=upload.content_type, size=len(upload.data))
        store.save(row, upload.data)
        rows.append(row)
    return rows


def open_stored(attachment):
    """The attachment's bytes as a binary file object to stream, or None when they are gone."""
    return file_store.current().open(attachment)


def read_bytes(attachment):
    """The attachment's bytes wherever they are stored (database, else disk), or None."""
    return file_store.read_bytes(attachment)


def visible_to(attachment, user):
    """Attachments on internal notes are for staff only."""
    if user.is_staff:
        return True
    return attachment.message is None or not attachment.message.internal
