"""Admin: partner organisations and their first manager (policy 3.1 Decision)."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.services import partners
from portal.services.errors import ServiceError
from portal.web.admin import admin_required, bp
from portal.web.forms.partners import CreatePartnerForm


@bp.route("/partners", methods=["GET", "POST"])
@admin_required
def partners_page():
    """Admins: partners with their members, licenses and open tickets; create a partner with its first manager."""
    form = CreatePartnerForm()
    if form.validate_on_submit():
        try:
            partner = partners.create_partner(current_user, form.company.data, form.number.data, form.email.data,
                                              form.name.data, form.password.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Created partner {partner.name} ({partner.number}).", "success")
            return redirect(url_for("admin.partners_page"))
    found = partners.overview(request.args.get("page", 1))
    managers = partners.managers_by_partner([p.id for p in found.rows])
    return render_template("admin/partners.html", form=form, found=found, managers=managers), \
        400 if form.has_errors else 200
