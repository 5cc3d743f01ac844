"""Signed, expiring links for email verification and password reset."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_MAX_AGE = 48 * 3600
RESET_MAX_AGE = 3600


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal-{purpose}")


def _fingerprint(user):
    """Changes when the password or email changes, so a used reset link stops working."""
    raw = f"{user.email}|{user.password_hash}|{user.verified_at}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def make_token(purpose, user):
    """A signed token for this user and purpose ('verify' or 'reset')."""
    return _serializer(purpose).dumps({"id": user.id, "fp": _fingerprint(user)})


def read_token(purpose, token, load_user):
    """The user a valid token names, or (None, reason) when expired, tampered or used."""
    max_age = VERIFY_MAX_AGE if purpose == "verify" else RESET_MAX_AGE
    if not token:
        return None, "The link is incomplete."
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return None, "The link has expired. Ask for a new one."
    except BadSignature:
        return None, "The link is not valid. Check that you copied all of it."
    user = load_user(data.get("id")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != _fingerprint(user):
        return None, "The link has already been used or is no longer valid."
    return user, None
