"""Admin: import orders from CSV (policy 4.5) and keep each product's releases (policy 7.2)."""
from flask import abort, flash, redirect, render_template, request, url_for

from portal.models import PRODUCTS, Order
from portal.services import orders
from portal.web.admin import admin_required, bp



@bp.route("/orders", methods=["GET", "POST"])
@admin_required
def orders_page():
    """Admins: import orders from a CSV upload (policy 4.5) and see the 20 newest orders."""
    result, error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = "Choose a CSV file to import."
        else:
            try:
                result = orders.import_orders(orders.decode_upload(upload.read()))
            except ValueError as exc:
                error = str(exc)
    recent = Order.select().order_by(Order.created_at.desc(), Order.id.desc()).limit(20)
    status = 400 if error or (result and result.errors) else 200
    return render_template("admin/orders.html", result=result, error=error, recent=recent,
                           columns=orders.COLUMNS), status


@bp.route("/releases", methods=["GET", "POST"])
@admin_required
def releases():
    """Admins: each product's releases, and a form to add one (policy 7.2 version checks)."""
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            release = orders.add_release(form.get("product"), form.get("version"), form.get("released_on"))
        except orders.ReleaseError as exc:
            errors = exc.errors
        else:
            flash(f"Added {release.product} {release.version}.", "success")
            return redirect(url_for("admin.releases"))
    return render_template("admin/releases.html", errors=errors, form=form, products=PRODUCTS,
                           releases=orders.releases_by_product()), 400 if errors else 200


@bp.route("/releases/<int:release_id>/delete", methods=["POST"])
@admin_required
def delete_release(release_id):
    """Admins: remove a release, back to the releases page (404 for an unknown one)."""
    if not orders.delete_release(release_id):
        abort(404)  # no such release: like every other unknown id
    flash("Release removed.", "success")
    return redirect(url_for("admin.releases"))
