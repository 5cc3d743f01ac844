"""The account page: support level and its reason, license keys, time zone, the mails you get,
password change; and the signed one-click unsubscribe link of every notification (no login)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from portal.models import License
from portal.policy import LEVELS
from portal.services import accounts, get_policy, licenses, mail_prefs, zones
from portal.services.errors import ServiceError
from portal.web.extensions import csrf, limiter
from portal.web.forms.accounts import ChangePasswordForm, LicenseForm, MailPrefsForm, TimeZoneForm, UnsubscribeForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _prefs_form():
    """The mail choices as saved."""
    return MailPrefsForm(formdata=None, partner_mail=current_user.partner_mail, **mail_prefs.choices(current_user))


def _page(license_form=None, password_form=None, mail_form=None):
    """The page with its forms; the one that was posted carries its errors (then 400)."""
    policy = get_policy()
    license_form = license_form or LicenseForm(formdata=None)
    password_form = password_form or ChangePasswordForm(formdata=None)
    mail_form = mail_form or _prefs_form()
    status = 400 if license_form.has_errors or password_form.has_errors or mail_form.has_errors else 200
    return render_template(
        "account/home.html", license_form=license_form, password_form=password_form, mail_form=mail_form,
        partner_member=mail_prefs.is_partner_member(current_user),
        licenses=list(License.for_user(current_user)),
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
    form = LicenseForm()
    if form.validate_on_submit():
        try:
            decision = licenses.bind_key(current_user, form.key.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"License added. Your support level is now {decision.level}.", "success")
            return redirect(url_for("account.home"))
    return _page(license_form=form)


@bp.route("/time-zone", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def change_time_zone():
    """The time zone the logged-in user reads session times in (support's own time stays beside them):
    the form, then back to the account page."""
    form = TimeZoneForm(time_zone=current_user.time_zone)
    if form.validate_on_submit():
        try:
            zones.set_time_zone(current_user, form.time_zone.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Times are now shown in {form.time_zone.data}.", "success")
            return redirect(url_for("account.home"))
    return render_template("account/time_zone.html", form=form), 400 if form.has_errors else 200


@bp.route("/password", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_password():
    """Change the logged-in user's password; this browser stays in, every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user, form.current.data, form.password.data,
                                            form.confirm.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            login_user(user)  # this browser stays in; every other session ends (new session version)
            flash("Password changed. Other sessions were logged out.", "success")
            return redirect(url_for("account.home"))
    return _page(password_form=form)


@bp.route("/mail", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def save_mail():
    """Save which notifications the logged-in user gets (and, for a partner member, about which tickets)."""
    form = MailPrefsForm()
    if form.validate_on_submit():
        try:
            partner_mail = form.partner_mail.data if mail_prefs.is_partner_member(current_user) else None
            mail_prefs.save(current_user, form.enabled(), partner_mail)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash("Your mail choices are saved.", "success")
            return redirect(url_for("account.home") + "#mail-h")
    return _page(mail_form=form)


# RFC 8058 one-click unsubscribe: the mail client POSTs "List-Unsubscribe=One-Click" to this URL
# with no session and no way to carry a CSRF token. That is safe here because the signed token in
# the URL is the authorisation (nobody can forge it without SECRET_KEY), it names one user and one
# kind, and the only effect is turning that kind off (idempotent, undone on the account page).
# So this one route, and no other, is exempt from CSRF.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("60 per hour", methods=["POST"])
def unsubscribe(token):
    """GET: confirm page with one button; POST (that button, or a mail client's one-click): the kind is off.
    A tampered token: 400 with the reason."""
    form = UnsubscribeForm()
    try:
        if form.validate_on_submit():
            user, kind = mail_prefs.unsubscribe(token)
            return render_template("account/unsubscribe.html", done=True, user=user, kind=kind,
                                   label=mail_prefs.KINDS[kind], form=form)
        user, kind = mail_prefs.read_token(token)
    except ServiceError as exc:
        return render_template("account/unsubscribe.html", error=exc.errors["token"], form=form), 400
    return render_template("account/unsubscribe.html", done=False, user=user, kind=kind,
                           label=mail_prefs.KINDS[kind], form=form)
