"""The logged-in user, loaded once per request (Flask-Login keeps it in `g` for the request).

The query is the same on every request but for the id, so its SQL text is made once per process
(portal/prepared.py): building the query cost four times running it (docs/benchmarks.md).
"""
from portal import prepared


def _by_id(user_id):
    from portal.models import User
    return User.select().where(User.id == user_id).limit(1)


def load_user(token):
    """The active user a session token ("<id>:<session version>") names, else None: logout and
    password changes bump the version and so end every session."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = prepared.first("user by id", _by_id, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
