"""The signed CSRF token of a session, signed once a minute per worker instead of on every page.

Flask-WTF keeps a random token in the session and writes it into each page signed with a
timestamp (HMAC, base64): about a twentieth of a queue page's CPU, for a value that changes
only with the second it was signed in. A token signed up to REUSE_SECONDS ago is as good as a
new one: it is the same session's token, checked against the same 24 h limit
(WTF_CSRF_TIME_LIMIT) shortened by at most that much. Each worker keeps {raw token: (signed,
when)}; the request's token is put where Flask-WTF looks first (g.csrf_token), so every form,
csrf_token() and the check of a POST behave as before. (A view that gave the session a new raw
token would have to drop g.csrf_token itself; none does: the session is never cleared.)
"""
import time

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

REUSE_SECONDS = 60
_MOST = 10_000


def _field():
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def reuse():
    """before_request: the signed token of this session from the last minute, if any."""
    field = _field()
    raw = session.get(field)
    if raw is None or field in g:
        return
    kept = current_app.extensions.setdefault("signed_csrf", {})
    found = kept.get(raw)
    if found is not None and 0 <= time.time() - found[1] < REUSE_SECONDS:
        setattr(g, field, found[0])
        g.csrf_reused_for = raw


def keep(response):
    """after_request: remember a token signed by this request for the next minute's pages."""
    field = _field()
    signed, raw = g.get(field), session.get(field)
    reused_for = g.get("csrf_reused_for")
    if signed is None or raw is None or reused_for is not None:
        # nothing signed, or the token came from here; a session whose token changed after that
        # (reused_for != raw) must not keep the old one under its new token
        if reused_for is not None and reused_for != raw:
            current_app.extensions.get("signed_csrf", {}).pop(raw, None)
        return response
    kept = current_app.extensions.setdefault("signed_csrf", {})
    found = kept.get(raw)
    if found is None or found[0] != signed:
        if len(kept) >= _MOST:
            kept.clear()
        kept[raw] = (signed, time.time())
    return response


def hidden_input():
    """The form field holding the token (templates: csrf_hidden()), as the forms macro's csrf()
    writes it, without importing the macro file into a page that needs only this."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()


def init_app(app):
    app.before_request(reuse)
    app.after_request(keep)
    app.add_template_global(hidden_input, "csrf_hidden")
