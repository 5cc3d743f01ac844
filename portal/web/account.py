"""The account page: support level and its reason, license keys, password change."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from portal.models import License
from portal.policy import LEVELS
from portal.services import accounts, get_policy, licenses
from portal.web.extensions import limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(errors=None, status=200):
    policy = get_policy()
    return render_template(
        "account/home.html", errors=errors or {}, licenses=list(License.for_user(current_user)),
        target=policy.target(current_user.level) if current_user.level in LEVELS else None,
        channels=policy.channels(current_user.level) if current_user.level in LEVELS else ()), status


@bp.route("/")
@login_required
def home():
    """The logged-in user's account page: support level and why, license keys, password form."""
    return _page()


@bp.route("/license", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def add_license():
    """Bind a license key to the logged-in customer's account; the form again with the reason if refused."""
    try:
        decision = licenses.bind_key(current_user, request.form.get("key"))
    except licenses.LicenseError as exc:
        return _page({"key": str(exc)}, 400)
    flash(f"License added. Your support level is now {decision.level}.", "success")
    return redirect(url_for("account.home"))


@bp.route("/password", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_password():
    """Change the logged-in user's password; this browser stays in, every other session ends."""
    form = request.form
    try:
        user = accounts.change_password(current_user, form.get("current"), form.get("password"),
                                        form.get("confirm"))
    except accounts.AccountError as exc:
        return _page({exc.field: exc.message}, 400)
    login_user(user)  # this browser stays in; every other session ends (new session version)
    flash("Password changed. Other sessions were logged out.", "success")
    return redirect(url_for("account.home"))
