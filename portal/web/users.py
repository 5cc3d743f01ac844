"""The logged-in user, loaded once per request (Flask-Login keeps it in `g` for the request).

The query is the same on every request but for the id, so its SQL text is built by peewee once per
database kind and run with the id as its one parameter: building the query cost four times
running it (docs/benchmarks.md). The row comes back as a full User through `User.raw`, with
peewee's own conversions, so nothing else changes for its readers.
"""
from portal import db as database

_SQL = {}  # the database's parameter mark ("?" or "%s") → SELECT ... WHERE id = <mark>


def _by_id_sql(model):
    mark = database.db.param
    text = _SQL.get(mark)
    if text is None:
        text, params = model.select().where(model.id == 0).sql()
        if params != [0]:  # the id must be the only parameter, or the text cannot be reused
            raise RuntimeError(f"unexpected parameters for the user query: {params!r}")
        _SQL[mark] = text
    return text


def load_user(token):
    """The active user a session token ("<id>:<session version>") names, else None: logout and
    password changes bump the version and so end every session."""
    from portal.models import User
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = next(iter(User.raw(_by_id_sql(User), int(user_id))), None)
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
