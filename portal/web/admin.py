"""Admin area: accounts (staff and resellers are created here)."""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.models import ROLES, User
from portal.services import accounts

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


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """Admins: list accounts (paged) and create one, e.g. a staff member or a reseller."""
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            user = accounts.create_user(form.get("email"), form.get("password", ""),
                                        form.get("role", ""), form.get("name", ""))
        except accounts.AccountError as exc:
            errors[exc.field] = exc.message
        else:
            flash(f"Created {user.role} account {user.email}.", "success")
            return redirect(url_for("admin.users"))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10000)
    rows = User.select().order_by(User.role, User.email).paginate(page, 50)
    return render_template("admin/users.html", users=rows, roles=ROLES, errors=errors, form=form,
                           page=page), 400 if errors else 200
