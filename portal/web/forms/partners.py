"""Forms of partner organisations: an admin creates a partner, a manager invites and manages
colleagues, an invited colleague sets a password. Roles are the models' PARTNER_ROLES, bounds
the columns', rules and messages the services' (`Check`)."""
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from portal.models import PARTNER_ROLES, Partner
from portal.services import accounts, partner_licenses
from portal.services.partners import ROLE_CHOICE
from portal.web.forms import Check, Form
from portal.web.forms.accounts import ResetPasswordForm, valid_email

ROLE_LABELS = {"manager": "Manager (invites and removes colleagues)", "member": "Member"}
_name = Check(lambda form: accounts.clean_name(form.name.data))


class CreatePartnerForm(Form):
    company = StringField("Company name", [Length(max=Partner.name.max_length,
                                                  message=f"Keep the company name to {Partner.name.max_length} "
                                                          "characters.")],
                          default="", render_kw={"required": True})
    number = StringField("Partner number", default="", description="Letters, digits and dashes, e.g. P-1001.",
                         render_kw={"required": True, "autocomplete": "off"})
    email = StringField("First manager's email", [valid_email], description=(
        "A new reseller account, or an existing reseller account that belongs to no partner."),
        render_kw={"type": "email", "required": True})
    name = StringField("Manager's name (optional)", [_name], default="")
    password = PasswordField("Initial password (new accounts only)",
                             description="Not needed when the address already has a reseller account.",
                             render_kw={"autocomplete": "new-password"})


class InviteForm(Form):
    email = StringField("Colleague's email", [valid_email],
                        render_kw={"type": "email", "autocomplete": "off", "required": True})
    role = SelectField("Role", choices=[SelectChoice(r, ROLE_LABELS[r]) for r in PARTNER_ROLES], default="member",
                       invalid_choice_message=ROLE_CHOICE)


class RoleForm(Form):
    """One button per colleague; the role it gives is a hidden field (the view fills it per row)."""
    role = HiddenField(validators=[AnyOf(PARTNER_ROLES, message=ROLE_CHOICE)])


class ActionForm(Form):
    """A button that changes something (remove, send again, withdraw): only the CSRF token."""


class AcceptInviteForm(ResetPasswordForm):
    name = StringField("Your name (optional)", [_name], default="", render_kw={"autocomplete": "name"})


class LicenseSearchForm(Form):
    """The partner's license search: a GET form (nothing changes, so no CSRF token), bounded as
    the service cuts the words."""

    class Meta:
        csrf = False

    q = StringField("Search by key, customer or email", [Length(max=partner_licenses.SEARCH_MAX)], default="",
                    description="Part of the license key, the delivery email or the customer's name.",
                    render_kw={"type": "search", "autocomplete": "off", "maxlength": partner_licenses.SEARCH_MAX})
