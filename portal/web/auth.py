"""Registration, email verification, login, logout and password reset."""
from flask import (Blueprint, current_app, flash, get_template_attribute, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from portal.mail import send_template
from portal.models import User
from portal.services import accounts, licenses, links
from portal.services.errors import Conflict, ServiceError
from portal.tokens import make_token, read_token
from portal.web.extensions import email_key, limiter
from portal.web.forms import validate_inline
from portal.web.forms.accounts import (WRONG_LOGIN, WRONG_REGISTRANT_PASSWORD, LoginForm, RegisterForm,
                                       ResetPasswordForm, ResetRequestForm, VerifyForm)
from portal.web.security import safe_next

bp = Blueprint("auth", __name__)

NEUTRAL_RESET = ("If an account exists for that address, we have sent it a link to choose a new "
                 "password. The link works for one hour.")


def landing_for(user):
    """Where an account starts after login: Partner Area, staff queue or tickets."""
    views = current_app.view_functions
    if user.is_reseller and "partner.home" in views:
        return url_for("partner.home")
    if user.is_staff and "staff.queue" in views:
        return url_for("staff.queue")
    if "tickets.index" in views and user.role == "customer":
        return url_for("tickets.index")
    return url_for("account.home")


def _load(user_id):
    return User.get_or_none(User.id == user_id) if isinstance(user_id, int) else None


def send_verification(user):
    """Mail the signed, expiring verification link."""
    link = links.absolute(url_for("auth.verify", token=make_token("verify", user)))
    send_template(user.email, "verify", link=link)


REGISTER_LIMIT = "20 per hour"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def register():
    """Anyone logged out: sign up and get a confirmation mail, never revealing a registered address."""
    if current_user.is_authenticated:
        return redirect(url_for("account.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.name.data)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            if user is not None:
                send_verification(user)
            else:  # never reveal that the address is registered: tell its owner by mail
                existing = User.by_email(accounts.normalise_email(form.email.data))
                send_template(existing.email, "register_taken")
            return render_template("auth/check_email.html", email=form.email.data.strip())
    return render_template("auth/register.html", form=form), 400 if form.has_errors else 200


@bp.route("/register/check", methods=["POST"])
@limiter.limit(REGISTER_LIMIT)
def register_check():
    """htmx: check the one register field that changed (HX-Trigger-Name) with RegisterForm and
    answer its block, error or not; without JavaScript the full submit checks everything."""
    field = validate_inline(RegisterForm(), RegisterForm.INLINE)
    if field is None:
        return "", 400
    if field.type == "PasswordField":  # the block replaces the input typed into: keep what it holds
        field.widget = type(field.widget)(hide_value=False)
    render_field = get_template_attribute("_macros/forms.html", "render_field")
    return render_field(field, inline=url_for("auth.register_check"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token):
    """The emailed confirmation link: a confirm button (GET), then mark the address verified (POST)."""
    user, problem = read_token("verify", token, _load)
    if problem:
        return render_template("auth/link_problem.html", problem=problem,
                               resend=current_user.is_authenticated), 400
    own_browser = current_user.is_authenticated and current_user.id == user.id
    form = VerifyForm()
    if not form.validate_on_submit():  # GET: a confirm button, so mail scanners' prefetch changes nothing
        return render_template("auth/verify.html", form=form, email=user.email, ask_password=not own_browser)
    # Only the registrant may confirm: whoever registered someone else's address knows the
    # password, the address's owner does not, so the owner cannot hand the squatter a verified
    # account (they take it over with "Forgot password" instead, which also confirms it).
    if not own_browser and not accounts.password_matches(user, form.password.data or ""):
        form.apply({"password": WRONG_REGISTRANT_PASSWORD})
        return render_template("auth/verify.html", form=form, email=user.email, ask_password=True), 400
    user = accounts.mark_verified(user)  # ends every earlier session of the account
    licenses.attach_by_email(user)  # policy 4.5: recognised only after verification
    if current_user.is_authenticated and current_user.id != user.id:  # another account's browser
        flash(f"{user.email} is confirmed.", "success")
        return redirect(url_for("account.home"))
    logout_user()  # this browser's session of the account ended with the others
    flash("Your email is confirmed. Please log in.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    """A logged-in, unverified user asks for a fresh confirmation link."""
    if not current_user.verified:
        send_verification(current_user)
    flash("We sent a new confirmation link.", "info")
    return redirect(url_for("account.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"], key_func=email_key)
def login():
    """Log in by email and password, then on to `next` or the user's landing page."""
    target = safe_next(request.values.get("next"), None)
    if current_user.is_authenticated:
        return redirect(target or landing_for(current_user))
    form = LoginForm()
    form.next.data = target or ""  # only a safe target goes back into the page
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.apply({"form": WRONG_LOGIN})
        else:
            licenses.refresh_level(user)  # policy 2.1, 3.4: a license may have expired or started
            login_user(user, remember=form.remember.data)
            return redirect(target or landing_for(user))
    return render_template("auth/login.html", form=form), 401 if form.has_errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log the user out and end the account's sessions on every device."""
    accounts.end_all_sessions(current_user)  # ends the account's sessions everywhere
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def reset_request():
    """Ask for a password reset link by mail; the answer never says whether the address exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        user = User.by_email(email)
        if user is not None and user.is_active:
            link = links.absolute(url_for("auth.reset_password", token=make_token("reset", user)))
            send_template(user.email, "reset", link=link)
        return render_template("auth/check_email.html", email=email, reset=True, message=NEUTRAL_RESET)
    return render_template("auth/reset_request.html", form=form), 400 if form.has_errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """The emailed reset link: choose a new password, which ends every other session."""
    user, problem = read_token("reset", token, _load)
    if problem:
        return render_template("auth/link_problem.html", problem=problem, resend=False), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data, form.confirm.data, replacing=user.password_hash)
        except Conflict as exc:  # another request used the link first
            return render_template("auth/link_problem.html", resend=False, problem=exc.message), 400
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            # the link reached the mailbox, which proves the address (policy 4.5: then recognised)
            if not user.verified:
                licenses.attach_by_email(accounts.mark_verified(user))
            logout_user()
            flash("Your password was changed. Every other session was logged out.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.has_errors else 200
