"""The Partner Area: resellers follow their tickets here (policy 3.2); a partner's members see its
home, its tickets (with a CSV export) and the licenses it sold, its managers manage its members,
and invited colleagues accept here (policy 3.1 Decision)."""
import csv
import io

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.db import utcnow
from portal.models import User
from portal.policy.partners import EXPIRING_DAYS
from portal.services import (get_policy, partner_home, partner_invites, partner_licenses, partner_tickets,
                             partners, tickets)
from portal.services.errors import Conflict, NotFound, ServiceError
from portal.web.extensions import limiter, user_key
from portal.web.forms.partners import AcceptInviteForm, ActionForm, InviteForm, LicenseSearchForm, RoleForm
from portal.web.forms.tickets import PartnerFilterForm
from portal.web.render import render, wants_fragment
from portal.web.tickets import list_context

bp = Blueprint("partner", __name__, url_prefix="/partner")


@bp.route("/")
@login_required
def home():
    """The Partner Area's home (404 for everyone but resellers; policy 3.2): for a member of a
    partner its open tickets by whom they wait for, upcoming sessions and licenses expiring soon
    (policy 3.1); then the reseller's tickets, filtered and paged (the htmx block `ticket_list`)."""
    if not current_user.is_reseller:  # policy 3.2: the Partner Area exists only for resellers
        abort(404)
    partner = summary = None
    if not wants_fragment():  # the list's htmx requests need only the list
        try:
            partner = partners.member_partner(current_user)
        except NotFound:  # a reseller of no partner has only the list
            pass
        else:
            summary = partner_home.home(current_user, partner)
    return render("partner/home.html", block="ticket_list", partner=partner, summary=summary,
                  expiring_days=EXPIRING_DAYS, **list_context())


# -- the partner's licenses: any member sees them (policy 3.1) -------------------------------

@bp.route("/licenses")
@login_required
def licenses():
    """The licenses the partner bought for resale, searchable and paged (the htmx block `results`);
    404 for everyone but the partner's members."""
    partner = partners.member_partner(current_user)
    form = LicenseSearchForm(formdata=request.args)
    words = form.q.data if form.validate() else ""
    found = partner_licenses.search_licenses(current_user, partner, words, request.args.get("page"))
    return render("partner/licenses.html", block="results", partner=partner, form=form,
                  words=partner_licenses.clean_search(words), found=found, expiring_days=EXPIRING_DAYS)


@bp.route("/licenses/<int:license_id>")
@login_required
def license_detail(license_id):
    """One of the partner's licenses and the open tickets about it (404 for another partner's)."""
    partner = partners.member_partner(current_user)
    lic = partner_licenses.license_for(current_user, partner, license_id)
    return render_template("partner/license.html", partner=partner, lic=lic, expiring_days=EXPIRING_DAYS,
                           tickets=partner_licenses.open_tickets_of(current_user, partner, lic.id))


# -- members: managers invite, remove and change roles (policy 3.1 Decision) -------------------

INVITE_LIMIT = "20 per hour"
invite_limit = limiter.shared_limit(INVITE_LIMIT, scope="partner-invites", key_func=user_key, methods=["POST"],
                                    error_message="You can send at most 20 invitations an hour.")


@bp.errorhandler(429)
def too_fast(exc):
    """A rate limit was hit: say which, and that nothing was sent."""
    message = f"{exc.description} Nothing was sent; please wait a while and try again."
    return render_template("error.html", status=429, title="Too many requests", message=message), 429


def _members_page(partner, invite_form=None, status=200):
    member_rows = partners.members(partner)
    role_forms = {m.id: RoleForm(formdata=None, role="member" if m.partner_role == "manager" else "manager")
                  for m in member_rows}
    return render_template("partner/members.html", partner=partner, members=member_rows,
                           invites=partner_invites.pending(partner), invite_form=invite_form or InviteForm(),
                           role_forms=role_forms, action=ActionForm(), now=utcnow(),
                           managers=sum(m.partner_role == "manager" for m in member_rows)), status


def _change(action, said, form=None):
    """Run a manager's change (404 unless the current user manages a partner; `form` holds what
    the change needs, by default only the CSRF token). A refusal (the last manager, changed
    meanwhile) is shown on the members page. After it: back there, or home (or to log in) when
    the change took the page away from the actor."""
    partners.managed_partner(current_user)
    if not (form or ActionForm()).validate_on_submit():
        abort(400)
    try:
        result = action(form)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("partner.members"))
    flash(said(result), "success")
    fresh = User.get_or_none(User.id == current_user.id)
    if fresh is None or not fresh.is_active:
        logout_user()
        return redirect(url_for("auth.login"))
    return redirect(url_for("partner.members" if fresh.is_partner_manager else "partner.home"))


@bp.route("/members")
@login_required
def members():
    """A manager's colleagues and pending invitations, with the forms that change them (404 for anyone else)."""
    return _members_page(partners.managed_partner(current_user))


@bp.route("/members/invite", methods=["POST"])
@login_required
@invite_limit
def invite():
    """A manager invites a colleague by email: a single-use link valid 72 hours."""
    partner = partners.managed_partner(current_user)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            sent = partner_invites.invite(current_user, form.email.data, form.role.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Invitation sent to {sent.email}; the link works for {partner_invites.INVITE_HOURS} hours.",
                  "success")
            return redirect(url_for("partner.members"))
    return _members_page(partner, form, 400)


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id):
    """A manager makes a colleague a manager or a member; the last manager stays one."""
    return _change(lambda form: partners.change_role(current_user, user_id, form.role.data),
                   lambda member: f"{member.email} is now a {member.partner_role}.", RoleForm())


@bp.route("/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(user_id):
    """A manager removes a colleague: every session of theirs ends at once, their tickets stay."""
    return _change(lambda _: partners.remove_member(current_user, user_id),
                   lambda member: f"Removed {member.email}; their sessions have ended and their tickets stay "
                                  "with the partner.")


@bp.route("/invites/<int:invite_id>/resend", methods=["POST"])
@login_required
@invite_limit
def resend_invite(invite_id):
    """Send an invitation again: a new link, valid 72 hours from now."""
    return _change(lambda _: partner_invites.resend(current_user, invite_id),
                   lambda sent: f"Invitation sent again to {sent.email}.")


@bp.route("/invites/<int:invite_id>/revoke", methods=["POST"])
@login_required
def revoke_invite(invite_id):
    """Withdraw an invitation: its link stops working."""
    return _change(lambda _: partner_invites.revoke(current_user, invite_id),
                   lambda withdrawn: f"Withdrew the invitation of {withdrawn.email}.")


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invite(token):
    """The mailed invitation: choose a password, then land in the Partner Area as a member."""
    try:
        pending = partner_invites.read_invite(token)
    except partner_invites.InviteLinkError as exc:
        return render_template("partner/invite.html", problem=exc.message), 400
    form = AcceptInviteForm()
    if form.validate_on_submit():
        try:
            user = partner_invites.accept(token, form.password.data, form.confirm.data, form.name.data)
        except partner_invites.InviteLinkError as exc:
            return render_template("partner/invite.html", problem=exc.message), 400
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            login_user(user)
            flash(f"Welcome to {pending.partner.name}'s Partner Area.", "success")
            return redirect(url_for("partner.home"))
    return render_template("partner/invite.html", form=form, invite=pending), 400 if form.has_errors else 200


# -- the partner's tickets as CSV (policy 3.1 Decision) ----------------------------------------

CSV_LIMIT = 5000  # a bounded export: the newest activity first


@bp.route("/tickets.csv")
@login_required
def tickets_csv():
    """The partner's tickets the viewer may see, with the list's filters, as CSV (404 for non-members)."""
    if not (current_user.is_reseller and current_user.partner_id):
        abort(404)
    filters = PartnerFilterForm(request.args, author=current_user)
    query = tickets.list_query(current_user, filters.list_filters()).limit(CSV_LIMIT)
    out = io.StringIO()
    csv.writer(out).writerows(partner_tickets.csv_rows(query, get_policy().time_text))
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="partner-tickets.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
