"""Admin: import orders from CSV (policy 4.5) and keep each product's releases (policy 7.2)."""
from flask import abort, flash, redirect, render_template, url_for
from peewee import JOIN

from portal.models import Order, Partner
from portal.services import orders
from portal.services.errors import ServiceError
from portal.web.admin import admin_required, bp
from portal.web.forms.admin import OrdersImportForm, ReleaseForm


@bp.route("/orders", methods=["GET", "POST"])
@admin_required
def orders_page():
    """Admins: import orders from a CSV upload (policy 4.5) and see the 20 newest orders."""
    form, result = OrdersImportForm(), None
    if form.validate_on_submit():
        try:
            result = orders.import_orders(orders.decode_upload(form.file.data.read()))
        except ValueError as exc:  # the file as a whole is unreadable
            form.apply({"file": str(exc)})
    recent = (Order.select(Order, Partner).join(Partner, JOIN.LEFT_OUTER)
              .order_by(Order.created_at.desc(), Order.id.desc()).limit(20))
    status = 400 if form.has_errors or (result and result.errors) else 200
    return render_template("admin/orders.html", form=form, result=result, recent=recent,
                           columns=orders.COLUMNS, optional=orders.OPTIONAL_COLUMNS), status


@bp.route("/releases", methods=["GET", "POST"])
@admin_required
def releases():
    """Admins: each product's releases, and a form to add one (policy 7.2 version checks)."""
    form = ReleaseForm()
    if form.validate_on_submit():
        released_on = form.released_on.data
        try:
            release = orders.add_release(form.product.data, form.version.data,
                                         released_on.isoformat() if released_on else None)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Added {release.product} {release.version}.", "success")
            return redirect(url_for("admin.releases"))
    return render_template("admin/releases.html", form=form, releases=orders.releases_by_product()), \
        400 if form.has_errors else 200


@bp.route("/releases/<int:release_id>/delete", methods=["POST"])
@admin_required
def delete_release(release_id):
    """Admins: remove a release, back to the releases page (404 for an unknown one)."""
    if not orders.delete_release(release_id):
        abort(404)  # no such release: like every other unknown id
    flash("Release removed.", "success")
    return redirect(url_for("admin.releases"))
