"""Forms of the admin area: create an account, import orders, add a release.
Choices are the models' constants (ROLES, PRODUCTS), bounds the columns', messages the services'."""
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from portal.models import MAIL_STATUSES, PRODUCTS, ROLES, Release
from portal.policy.versions import VERSION_HINT
from portal.services import accounts
from portal.web.forms import Check, Date, Form
from portal.web.forms.accounts import valid_email


class CreateUserForm(Form):
    email = StringField("Email", [valid_email], render_kw={"type": "email", "required": True})
    name = StringField("Name", [Check(lambda form: accounts.clean_name(form.name.data))], default="")
    password = PasswordField("Initial password",
                             [Check(lambda form: accounts.check_new_password(form.password.data))],
                             render_kw={"autocomplete": "new-password", "required": True})
    role = SelectField("Role", choices=ROLES,
                       invalid_choice_message=f"Role must be one of {', '.join(ROLES)}.")


class OrdersImportForm(Form):
    file = FileField("CSV file", [FileRequired("Choose a CSV file to import.")],
                     render_kw={"accept": ".csv,text/csv", "required": True})


class ReleaseForm(Form):
    product = SelectField("Product", choices=PRODUCTS, invalid_choice_message="Choose a product.")
    version = StringField("Version", [Length(max=Release.version.max_length,
                                             message=VERSION_HINT)],
                          default="", description="Major.Minor.Subminor.Patch, e.g. 8.1.0.3 (policy 7.1)",
                          render_kw={"required": True})
    released_on = Date("Release date", message="Release date must be a date like 2026-01-31.")


class MailFilterForm(Form):
    """/admin/mail: which outbox rows to list (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices={"": "Any status", **{s: s.capitalize() for s in MAIL_STATUSES}},
                         default="")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 10_000)])


class MailRetryForm(Form):
    """The Retry button of a failed mail: the CSRF token only."""
