"""Home page, the policy page and the bare /ping route (the probes are in portal/web/ops.py)."""
from flask import Blueprint, redirect, render_template
from flask_login import current_user

from portal.web.auth import landing_for

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """The public home page; a logged-in user goes to their landing page instead."""
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    return render_template("main/index.html")


@bp.route("/policy")
def policy_page():
    """The support policy, readable by everyone."""
    return render_template("main/policy.html")


@bp.route("/ping", methods=["GET", "POST"])
def ping():
    """A bare route (no database, no template): the baseline for benchmarks and probes. A POST
    passes the same CSRF check as every form, so it is the baseline of a form post (bench)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
