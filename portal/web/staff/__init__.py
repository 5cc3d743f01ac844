"""The staff area (/staff): one blueprint; the console and the operations register on it.

Who may reach it: `staff_only`, the one app-wide guard of every /staff URL (404 for everyone else).
"""
from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_app_request
def staff_only():
    """Only staff and admins reach the console; for anyone else no /staff address exists (404).

    App-wide and limited to /staff paths, so a method a route does not take (405) or an
    unknown address answers 404 too, as the blueprint's own hook never runs for those.
    """
    if request.path == "/staff" or request.path.startswith("/staff/"):
        if not current_user.is_authenticated or not current_user.is_staff:
            abort(404)


from portal.web.staff import console, ops, presence, threads, views  # noqa: E402,F401  (they add their routes to bp)
