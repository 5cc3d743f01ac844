"""Orders from CSV and product releases (policy 2.1, 4.5, 7.2)."""
import csv
import datetime
import io
from dataclasses import dataclass, field

from peewee import IntegrityError

from portal.services.errors import FieldError, ServiceError
from portal.db import write_tx
from portal.models import LICENSE_TYPES, PRODUCTS, License, Order, Partner, Release, User
from portal.policy import VersionError, parse_version
from portal.services import licenses
from portal.services.accounts import normalise_email

COLUMNS = ("order_number", "delivery_email", "license_key", "license_type", "purchased_on", "expires_on")
# may be left out of the header: `partner` is the partner number of a reseller who bought the
# order for resale (policy 3.1), empty for an end customer's own order
OPTIONAL_COLUMNS = ("partner",)


def counted(count, singular, plural=None):
    """'1 license', '2 licenses'."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


@dataclass
class ImportResult:
    """What an import did: licenses added, rows already known, bad rows as (line, message)."""
    added: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    attached: list = field(default_factory=list)

    def summary(self, sep="; "):
        """'Added 1 license; 0 already known; 2 bad rows' (the page and the CLI say the same)."""
        return sep.join((f"Added {counted(self.added, 'license')}", f"{self.skipped} already known",
                         counted(len(self.errors), "bad row")))


def _date(text, name, required):
    text = (text or "").strip()
    if not text:
        if required:
            raise ValueError(f"{name} is missing")
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-01-31, got {text[:20]!r}") from None


def _parse_row(row):
    number = (row.get("order_number") or "").strip()
    if not number or len(number) > 64:
        raise ValueError("order_number is missing or longer than 64 characters")
    try:
        email = normalise_email(row.get("delivery_email"))
    except FieldError:
        raise ValueError("delivery_email is not a valid email address") from None
    key = (row.get("license_key") or "").strip().upper()
    if not key or len(key) > 64:
        raise ValueError("license_key is missing or longer than 64 characters")
    lic_type = (row.get("license_type") or "").strip().upper()
    if lic_type not in LICENSE_TYPES:
        raise ValueError(f"license_type must be one of {', '.join(LICENSE_TYPES)}")
    purchased = _date(row.get("purchased_on"), "purchased_on", True)
    expires = _date(row.get("expires_on"), "expires_on", False)
    if expires is not None and expires <= purchased:
        raise ValueError("expires_on must be after purchased_on")
    return number, email, key, lic_type, purchased, expires, _partner(row.get("partner"))


def _partner(text):
    """The partner a `partner` cell names by its number (None when empty); ValueError when unknown."""
    number = (text or "").strip().upper()
    if not number:
        return None
    partner = Partner.get_or_none(Partner.number == number)
    if partner is None:
        raise ValueError(f"partner {number[:40]} is not a known partner number")
    return partner


def _store_row(number, email, key, lic_type, purchased, expires, partner):
    """Insert one license (and its order); returns False when it was already imported."""
    partner_id = partner.id if partner else None
    with write_tx():
        order, _ = Order.get_or_create(number=number, defaults={"delivery_email": email, "partner": partner_id})
        if order.delivery_email != email:
            raise ValueError(f"order {number} already exists with another delivery email")
        if order.partner_id != partner_id:
            raise ValueError(f"order {number} already exists with another partner")
        existing = License.get_or_none(License.key == key)
        if existing is not None:
            if existing.order_id == order.id and existing.type == lic_type:
                return False
            raise ValueError(f"license key {key} already belongs to another order or type")
        License.create(key=key, order=order, type=lic_type, purchased_on=purchased, expires_on=expires)
    return True


def import_orders(text):
    """Import orders from CSV text (header row of COLUMNS, and any of OPTIONAL_COLUMNS); bad rows
    are reported by line, good rows kept."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or ()
    except csv.Error as exc:
        result.errors.append((1, _unreadable(exc)))
        return result
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append((1, f"the header must name the columns {', '.join(COLUMNS)}; "
                                 f"missing {', '.join(missing)}"))
        return result
    emails = set()
    for line, row in _rows(reader, result):
        try:
            parsed = _parse_row(row)
            if _store_row(*parsed):
                result.added += 1
                emails.add(parsed[1])
            else:
                result.skipped += 1
        except (ValueError, IntegrityError) as exc:
            result.errors.append((line, str(exc)))
    result.attached = _attach(emails)
    return result


def _rows(reader, result):
    """(line, row) for every readable row; an unreadable one (a field over csv's size limit, a
    NUL) is reported by its line and skipped, and reading goes on with the next line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.errors.append((reader.reader.line_num, _unreadable(exc)))  # DictReader's lags behind
            continue
        yield reader.line_num, row


def _unreadable(exc):
    if "field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit():,} characters; this row was not read"
    return f"this row cannot be read as CSV ({exc})"


def _attach(emails):
    """policy 4.5: a verified account whose email is a new order's delivery email gets its licenses."""
    attached = []
    for email in sorted(emails):
        user = User.by_email(email)
        if user is not None and user.verified and licenses.attach_by_email(user):
            attached.append(email)
    return attached


def decode_upload(data):
    """CSV bytes as text (UTF-8, with or without BOM); ValueError otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file must be UTF-8 text (CSV).") from None


def add_release(product, version, released_on=None):
    """Add a product release (policy 7.1 version format); ServiceError (fields to messages) on bad
    input or duplicates."""
    errors = {}
    product, version = (product or "").strip(), (version or "").strip()
    if product not in PRODUCTS:
        errors["product"] = "Choose a product."
    try:
        parsed = parse_version(version)
    except VersionError as exc:
        errors["version"] = str(exc)
    try:
        released = _date(released_on, "Release date", False)
    except ValueError as exc:
        errors["released_on"] = str(exc)
    if errors:
        raise ServiceError(errors)
    try:
        with write_tx():
            return Release.create(product=product, version=str(parsed), major=parsed.major,
                                  minor=parsed.minor, subminor=parsed.subminor, patch=parsed.patch,
                                  released_on=released)
    except IntegrityError:
        raise ServiceError({"version": f"{product} {parsed} is already listed."}) from None


def delete_release(release_id):
    """Remove a release from the list; returns how many rows went."""
    with write_tx():
        return Release.delete().where(Release.id == release_id).execute()


def releases_by_product():
    """Every product's releases, newest first."""
    return {p: list(Release.select().where(Release.product == p)
                    .order_by(Release.major.desc(), Release.minor.desc(), Release.subminor.desc(),
                              Release.patch.desc()))
            for p in PRODUCTS}
