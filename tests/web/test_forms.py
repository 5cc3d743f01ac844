"""Forms: the accounts and admin forms are FlaskForms with the services' choices, bounds and
messages; one macro renders every field type; htmx checks a register field with the same class."""
import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from portal.models import PRODUCTS, ROLES, Release, User
from portal.services.errors import FieldError, ServiceError
from portal.web.extensions import limiter
from portal.web.forms import Form
from portal.web.forms import accounts as account_forms
from portal.web.forms import admin as admin_forms
from tests.factories import csrf_token

SLICE = [account_forms.RegisterForm, account_forms.LoginForm, account_forms.ResetRequestForm,
         account_forms.ResetPasswordForm, account_forms.VerifyForm, account_forms.LicenseForm,
         account_forms.ChangePasswordForm, admin_forms.CreateUserForm, admin_forms.OrdersImportForm,
         admin_forms.ReleaseForm]


@pytest.mark.parametrize("form_class", SLICE, ids=lambda c: c.__name__)
def test_every_accounts_and_admin_form_is_a_flask_form(app, form_class):
    assert issubclass(form_class, FlaskForm)
    with app.test_request_context():
        form = form_class(formdata=None)
        assert "csrf_token" in form  # the token flask-wtf checks is the form's own field
        shown = [field for field in form if field.type not in ("CSRFTokenField", "HiddenField")]
        assert all(field.id == f"f-{field.name}" for field in shown)


def test_choices_and_bounds_come_from_the_models(app):
    with app.test_request_context():
        assert list(admin_forms.CreateUserForm(formdata=None).role.choices) == list(ROLES)
        assert list(admin_forms.ReleaseForm(formdata=None).product.choices) == list(PRODUCTS)
        version = admin_forms.ReleaseForm(formdata=None).version
        assert any(getattr(v, "max", None) == Release.version.max_length for v in version.validators)


def test_admin_pages_offer_exactly_the_models_choices(app, make_user, login):
    client = login(make_user(role="admin"))
    users = client.get("/admin/users").get_data(as_text=True)
    releases = client.get("/admin/releases").get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="([^"]*)"', users) == list(ROLES)
    assert re.findall(r'<option[^>]*value="([^"]*)"', releases) == list(PRODUCTS)


class Sample(Form):
    text = StringField("Text", description="A hint for the text.")
    choice = SelectField("Choice", choices=["one", "two"])
    body = TextAreaField("Body", description="Write freely.")
    agree = BooleanField("I agree")
    upload = FileField("Upload")


ONE_FIELD = '{% from "_macros/forms.html" import render_field %}{{ render_field(form[name], **attrs) }}'


def _render(form, name, **attrs):
    return render_template_string(ONE_FIELD, form=form, name=name, attrs=attrs)


@pytest.mark.parametrize("name, control", [("text", '<input'), ("choice", "<select"), ("body", "<textarea"),
                                           ("agree", 'type="checkbox"'), ("upload", 'type="file"')])
def test_the_macro_renders_every_field_type_with_label_hint_and_error(app, name, control):
    with app.test_request_context():
        form = Sample(formdata=None)
        clean = _render(form, name, hint="Some help.")
        assert control in clean and f'<label for="f-{name}">' in clean and f'id="f-{name}"' in clean
        assert f'<small id="h-{name}" class="help">Some help.</small>' in clean
        assert f'aria-describedby="h-{name}"' in clean and "aria-invalid" not in clean
        form.apply({name: "This is <wrong>."})
        wrong = _render(form, name)
        assert f'<p class="error" id="e-{name}">This is &lt;wrong&gt;.</p>' in wrong  # escaped
        assert 'aria-invalid="true"' in wrong and f'aria-describedby="e-{name}"' in wrong
        assert 'class="field has-error' in wrong or 'class="field check has-error' in wrong


def test_the_hint_defaults_to_the_fields_description_and_attributes_pass_through(app):
    with app.test_request_context():
        html = _render(Sample(formdata=None), "text", placeholder="type here")
        assert '<small id="h-text" class="help">A hint for the text.</small>' in html
        assert 'placeholder="type here"' in html


def test_apply_puts_a_service_refusal_on_its_fields(app):
    with app.test_request_context():
        form = Sample(formdata=None)
        form.apply(ServiceError({"text": "Too short.", "form": "Try again later.", "nosuch": "Odd."}).errors)
        form.apply(FieldError("choice", "Pick one.").errors)
        assert form.text.errors == ["Too short."] and form.choice.errors == ["Pick one."]
        assert form.form_errors == ["Try again later.", "Odd."] and form.has_errors


def _check(client, field, data):
    token = csrf_token(client, "/register")
    return client.post("/register/check", data=data | {"csrf_token": token},
                       headers={"HX-Request": "true", "HX-Trigger-Name": field})


def test_the_register_page_checks_fields_inline_and_still_submits_plainly(client):
    html = client.get("/register").get_data(as_text=True)
    assert '<form method="post" action="/register"' in html  # without JavaScript: a full submit
    for name in ("email", "name", "password", "confirm"):
        assert re.search(rf'<input[^>]*hx-post="/register/check"[^>]*id="f-{name}"', html), name


def test_inline_check_answers_the_fields_block_with_the_forms_message(client):
    bad = _check(client, "email", {"email": "not-an-email", "password": "short"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200  # htmx swaps only 2xx answers
    assert html.startswith('<div class="field has-error">') and 'id="f-email"' in html
    assert "Enter a valid email address" in html and 'aria-invalid="true"' in html
    assert "f-password" not in html and "at least" not in html  # only the field asked about
    good = _check(client, "email", {"email": "someone@example.test"}).get_data(as_text=True)
    assert "has-error" not in good and 'value="someone@example.test"' in good
    assert "Keep the name to 80" in _check(client, "name", {"name": "N" * 81}).get_data(as_text=True)
    assert User.select().count() == 0  # a check writes nothing


def test_inline_check_of_passwords_uses_both_fields_and_keeps_what_was_typed(client):
    mismatch = _check(client, "confirm", {"password": "a long password", "confirm": "another one!"})
    html = mismatch.get_data(as_text=True)
    assert "do not match" in html and 'value="another one!"' in html  # the swapped input keeps it
    short = _check(client, "password", {"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "at least 10" in short
    fine = _check(client, "confirm", {"password": "a long password", "confirm": "a long password"})
    assert "has-error" not in fine.get_data(as_text=True)


def test_inline_check_refuses_unknown_fields_a_missing_token_and_too_many_calls(client):
    limiter.reset()  # the budget below is this test's alone
    assert _check(client, "csrf_token", {}).status_code == 400
    assert _check(client, "role", {"role": "admin"}).status_code == 400
    no_token = client.post("/register/check", data={"email": "a@example.test"},
                           headers={"HX-Trigger-Name": "email"})
    assert no_token.status_code == 400 and "f-email" not in no_token.get_data(as_text=True)
    token = csrf_token(client, "/register")
    codes = [client.post("/register/check", data={"email": "a@example.test", "csrf_token": token},
                         headers={"HX-Trigger-Name": "email"}).status_code for _ in range(22)]
    assert codes[0] == 200 and codes[-1] == 429  # limited like the register form
