"""Account use cases: register, verify, log in, reset and change passwords, create users."""
import re

from peewee import IntegrityError

from portal.services.errors import Conflict, FieldError
from portal.db import utcnow, write_tx
from portal.models import ROLES, User
from portal.passwords import hash_password, password_problem, verify_password

NAME_MAX = User.display_name.max_length  # the column's own bound
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def normalise_email(email):
    """The email as stored: trimmed and lower-case; FieldError when malformed."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise FieldError("email", "Enter a valid email address, like name@example.com.")
    return email


def check_new_password(password, confirm=None):
    """Raise FieldError when a new password is unacceptable."""
    problem = password_problem(password or "")
    if problem:
        raise FieldError("password", problem)
    if confirm is not None and confirm != password:
        raise FieldError("confirm", "The two passwords do not match.")


def clean_name(display_name):
    """A display name that fits its column (80 characters), else FieldError."""
    name = (display_name or "").strip()
    if len(name) > NAME_MAX:
        raise FieldError("name", f"Keep the name to {NAME_MAX} characters; this one has {len(name):,}.")
    return name


def register(email, password, display_name=""):
    """Create a customer account, or return None when the email is taken (never say so)."""
    email, display_name = normalise_email(email), clean_name(display_name)
    check_new_password(password)
    hashed = hash_password(password)
    try:
        with write_tx():
            return User.create(email=email, password_hash=hashed, role="customer",
                               display_name=display_name)
    except IntegrityError:
        return None


def create_user(email, password, role, display_name="", verified=True):
    """Admin creates any role (staff and resellers only this way); FieldError if taken."""
    if role not in ROLES:
        raise FieldError("role", f"Role must be one of {', '.join(ROLES)}.")
    email, display_name = normalise_email(email), clean_name(display_name)
    check_new_password(password)
    try:
        with write_tx():
            return User.create(email=email, password_hash=hash_password(password), role=role,
                               display_name=display_name,
                               verified_at=utcnow() if verified else None,
                               level="RESELLER" if role == "reseller" else "FREE",
                               level_reason="RESELLER: partner account" if role == "reseller"
                               else "FREE: no license on this account")
    except IntegrityError:
        raise FieldError("email", "An account with this email already exists.") from None


def authenticate(email, password):
    """The account for these credentials, or None (same cost whether or not it exists)."""
    try:
        email = normalise_email(email)
    except FieldError:
        verify_password(None, password or "")
        return None
    user = User.by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or not user.is_active:
        return None
    User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
    return user


LINK_USED = "This link has already been used. Ask for a new one."


def password_matches(user, password):
    """Whether `password` is the account's password (same cost whatever the answer)."""
    return verify_password(user.password_hash, password or "")


def mark_verified(user):
    """Record the verification and end every session that predates it; returns the fresh user.

    Whoever registered the address and logged in before its owner confirmed it must not keep
    a session that now carries the owner's licenses (policy 4.5)."""
    with write_tx():
        User.update(verified_at=utcnow(), session_version=User.session_version + 1).where(
            (User.id == user.id) & User.verified_at.is_null()).execute()
    return User.get_by_id(user.id)


def end_all_sessions(user):
    """Bump the session version: every cookie of this account stops working."""
    with write_tx():
        User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()


def set_password(user, password, confirm=None, replacing=None):
    """Set a new password and end every session of the account.

    With `replacing` (the hash a reset link was made for) the change happens only while that
    hash is still stored: of two uses of one link arriving at once, one wins and the other
    gets a Conflict (answered 400, like every other unusable link)."""
    check_new_password(password, confirm)
    condition = User.id == user.id
    if replacing is not None:
        condition &= User.password_hash == replacing
    with write_tx():
        changed = User.update(password_hash=hash_password(password),
                              session_version=User.session_version + 1).where(condition).execute()
    if not changed:
        raise Conflict(LINK_USED, status=400)
    return User.get_by_id(user.id)


def change_password(user, current, password, confirm):
    """Change a password after checking the current one."""
    if not verify_password(user.password_hash, current or ""):
        raise FieldError("current", "The current password is not right.")
    return set_password(user, password, confirm)
