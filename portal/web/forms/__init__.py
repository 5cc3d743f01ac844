"""Every page form is a FlaskForm here, one module per area; `Form` is their base.

Fields carry their label, hint (`description`), bounds, choices and messages; a service's
refusal lands on the fields it names through `form.apply(exc.errors)`."""
import wtforms
from flask import request
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from portal.services.errors import ServiceError


class Form(FlaskForm):
    """A FlaskForm whose inputs have the ids the pages and browser tests use (`f-<name>`)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if "id" not in unbound_field.kwargs:
                options["id"] = f"f-{options['name']}"
            return unbound_field.bind(form=form, **options)

    def apply(self, errors):
        """Put a ServiceError's messages on the fields they name; "form" (or an unknown name)
        goes to `form_errors`, shown above the fields. Returns the form."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None or name == "csrf_token":
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]
        return self

    @property
    def has_errors(self):
        return bool(self.form_errors) or any(f.errors for f in self)

    def validate_one(self, name):
        """Validate only the field `name` (htmx inline validation); False for an unknown field."""
        field = self._fields.get(name)
        if field is None or name == "csrf_token":
            return False
        inline = getattr(type(self), f"validate_{name}", None)  # as Form.validate runs it
        return field.validate(self, [inline] if inline else [])


def validate_inline(form, names):
    """htmx inline validation: the one field the request is about (its HX-Trigger-Name, one of
    `names`), validated alone with the form's own validators; None for any other name."""
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in names:
        return None
    form.validate_one(name)
    return form[name]


class Check:
    """A validator that runs a service's own rule, e.g. `Check(lambda f: normalise_email(f.email.data))`,
    and refuses with the service's message for this field, so no rule or wording is copied here."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        try:
            self.rule(form)
        except ServiceError as exc:
            if field.name in exc.errors:  # a refusal of another field is that field's error
                raise ValidationError(exc.errors[field.name]) from None


class _Worded:
    """A date or time field: empty is None, an unreadable one is refused with `message`."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, [wtforms.validators.Optional(), *(validators or [])], **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None


class Date(_Worded, wtforms.DateField):
    """An ISO date (<input type=date>); empty is None, a bad one says how to write it."""

    def __init__(self, label=None, validators=None, message="Enter a date like 2026-01-31.", **kwargs):
        super().__init__(label, validators, message, **kwargs)


class Clock(_Worded, wtforms.TimeField):
    """A time of day (<input type=time>, with or without seconds); empty is None."""

    def __init__(self, label=None, validators=None, message="Enter a time like 10:30.", **kwargs):
        super().__init__(label, validators, message, format=["%H:%M", "%H:%M:%S"], **kwargs)
