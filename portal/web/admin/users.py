"""Admin: accounts (staff and resellers are created here)."""
from flask import flash, redirect, render_template, request, url_for

from portal.models import User
from portal.services import accounts
from portal.services.errors import ServiceError
from portal.web.admin import admin_required, bp
from portal.web.forms.admin import CreateUserForm


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """Admins: list accounts (paged) and create one, e.g. a staff member or a reseller."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, form.role.data, form.name.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Created {user.role} account {user.email}.", "success")
            return redirect(url_for("admin.users"))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10000)
    rows = User.select().order_by(User.role, User.email).paginate(page, 50)
    return render_template("admin/users.html", users=rows, form=form, page=page), \
        400 if form.has_errors else 200
