"""The admin area (/admin): one blueprint; accounts, orders and releases register on it."""
from functools import wraps

from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_app_request
def admins_only():
    """No /admin address exists for anyone but admins, whatever the method (404, not 405)."""
    if request.path == "/admin" or request.path.startswith("/admin/"):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(404)


def admin_required(view):
    """404 for anyone but admins: the admin area does not exist for them."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)
    return wrapped


from portal.web.admin import mail, orders, partners, users  # noqa: E402,F401  (they add their routes to bp)
