"""Forms of the accounts area: register, log in, confirm an address, reset and change a password,
add a license key, the mails you get, the one-click unsubscribe. Rules and messages are the services' own (`Check`), bounds the columns'."""
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from portal.models import License
from portal.passwords import MIN_LENGTH
from portal.services import accounts, get_policy, licenses, mail_prefs, zones
from portal.web.forms import Check, Form

PASSWORD_HINT = f"At least {MIN_LENGTH} characters."
WRONG_LOGIN = "Email or password is not right."
WRONG_REGISTRANT_PASSWORD = "That is not the password chosen for this account."

valid_email = Check(lambda form: accounts.normalise_email(form.email.data))
new_password = Check(lambda form: accounts.check_new_password(form.password.data, form.confirm.data))


def _new_password(label, hint=PASSWORD_HINT):
    return PasswordField(label, [new_password], description=hint,
                         render_kw={"autocomplete": "new-password", "required": True})


def _confirm(label):
    return PasswordField(label, [new_password], render_kw={"autocomplete": "new-password", "required": True})


class RegisterForm(Form):
    email = StringField("Email", [valid_email],
                        render_kw={"type": "email", "autocomplete": "email", "required": True})
    name = StringField("Your name (optional)", [Check(lambda form: accounts.clean_name(form.name.data))],
                       default="", render_kw={"autocomplete": "name"})
    password = _new_password("Password")
    confirm = _confirm("Repeat the password")
    INLINE = ("email", "name", "password", "confirm")  # the page's order; /register/check answers for these


class LoginForm(Form):
    """No format checks: a wrong address and a wrong password get the same 401 answer."""
    email = StringField("Email", default="",
                        render_kw={"type": "email", "autocomplete": "username", "required": True})
    password = PasswordField("Password", render_kw={"autocomplete": "current-password", "required": True})
    remember = BooleanField("Keep me logged in on this computer")
    next = HiddenField(default="")


class ResetRequestForm(Form):
    email = StringField("Email", [valid_email],
                        render_kw={"type": "email", "autocomplete": "email", "required": True})


class ResetPasswordForm(Form):
    password = _new_password("New password")
    confirm = _confirm("Repeat the new password")


class VerifyForm(Form):
    """The registrant's password, asked when the confirm link opens in another browser."""
    password = PasswordField("The password you chose when you registered",
                             render_kw={"autocomplete": "current-password", "required": True})


class LicenseForm(Form):
    # an overlong key gets the unknown key's answer, so keys cannot be told apart (policy 4.5)
    key = StringField("Add a license key", [Length(max=License.key.max_length, message=licenses.CANNOT_ADD)],
                      default="", render_kw={"autocomplete": "off", "required": True},
                      description="From your order email, e.g. RUPRO-1A2B3-C4D5E-7K2Q. "
                                  "A key binds to one account.")


class ChangePasswordForm(Form):
    current = PasswordField("Current password",
                            render_kw={"autocomplete": "current-password", "required": True})
    password = _new_password("New password", f"{PASSWORD_HINT} Other sessions will be logged out.")
    confirm = _confirm("Repeat the new password")


class TimeZoneForm(Form):
    """The zone this person reads times in (session times, their mails); the choices are the service's."""
    time_zone = SelectField("Your time zone", choices=[SelectChoice(z, z.replace("_", " ")) for z in zones.TIME_ZONES],
                            default=zones.DEFAULT_ZONE, invalid_choice_message=zones.UNKNOWN_ZONE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label = get_policy().zone_label  # support's own zone, as the policy names it
        self.time_zone.description = f"Remote-session times are shown in it, with support's time ({label}) beside them."


class MailPrefsForm(Form):
    """Which notifications this person gets: one checkbox per kind (mail_prefs.KINDS) and, for a
    partner member, which of the partner's tickets (mail_prefs.PARTNER_CHOICES)."""
    partner_mail = RadioField("Mail about the partner's tickets", choices=[SelectChoice(v, label) for v, label in mail_prefs.PARTNER_CHOICES.items()],
                              default="mine", validate_choice=True)

    def kind_fields(self):
        return [self[kind] for kind in mail_prefs.KINDS]

    def enabled(self):
        return {kind: bool(self[kind].data) for kind in mail_prefs.KINDS}


for _kind, _label in mail_prefs.KINDS.items():  # one field per kind, named by it
    setattr(MailPrefsForm, _kind, BooleanField(_label, default=True))


class UnsubscribeForm(Form):
    """The one-click unsubscribe (RFC 8058): no CSRF token, because a mail client's POST cannot
    carry one; the signed token in the URL is the authorisation (mail_prefs.read_token)."""

    class Meta:
        csrf = False
