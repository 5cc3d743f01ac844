"""Password hashing with argon2id at or above OWASP's minimum (19 MiB, t=2, p=1)."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# a real hash to verify against when no account matches, so timing does not reveal it
_DUMMY = _hasher.hash("not-a-real-password-0")


def hash_password(password):
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(stored_hash, password):
    """True when the password matches; costs the same when stored_hash is None."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password):
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.strip() == "":
        return "The password cannot be only spaces."
    return None
