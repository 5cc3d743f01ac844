"""Admin: accounts (staff and resellers are created here)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.models import ROLES, User
from portal.services import accounts

from portal.web.admin import admin_required, bp


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
