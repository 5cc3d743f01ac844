"""The Partner Area: resellers follow their tickets here (policy 3.2)."""
from flask import Blueprint, abort
from flask_login import current_user, login_required

from portal.web.render import render
from portal.web.tickets import list_context

bp = Blueprint("partner", __name__, url_prefix="/partner")


@bp.route("/")
@login_required
def home():
    """The reseller's tickets, filtered and paged, in the Partner Area (404 for everyone else; policy 3.2)."""
    if not current_user.is_reseller:  # policy 3.2: the Partner Area exists only for resellers
        abort(404)
    return render("partner/home.html", block="ticket_list", **list_context())
