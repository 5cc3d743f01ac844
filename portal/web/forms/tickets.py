"""Forms of the tickets area (customers and resellers): file a ticket, reply, send credentials,
filter the list. Rules and messages are the ticket and credentials services' own (`Check`),
choices the models' constants (PRODUCTS, STATUSES). Files leave this module as
`attachments.Incoming` (name and bytes), never as werkzeug objects."""
from flask import current_app
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.ids import parse_id
from portal.models import PRODUCTS, STATUSES
from portal.services import attachments, credentials, partner_tickets, partners, session_answers, tickets
from portal.services.errors import NotFound
from portal.web.forms import Check, Form

valid_files = Check(lambda form: attachments.check_uploads(form.files.data))


class Attachments(MultipleFileField):
    """The chosen files as attachments.Incoming (each read up to the request limit, one byte more
    so an oversized one is told apart); a file input left empty gives none."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        self.data = [attachments.Incoming(f.filename or "", f.stream.read(limit + 1)) for f in self.data or ()]


class _NotEchoed:
    """policy 8.5: what was typed is never sent back to the browser, not even beside an error."""

    def _value(self):
        return ""


class NotEchoedText(_NotEchoed, StringField):
    pass


class NotEchoedTextArea(_NotEchoed, TextAreaField):
    pass


class _AllAtOnce(Form):
    """A form the service checks again as it writes. When the fields already refuse, the form
    adds what the service would refuse besides (`also_refused`), so every refusal shows at once;
    when they pass, the service finds those itself, and checks them once. `secret` is set when the
    text was refused for carrying credentials (policy 8.5): the page points to their form."""

    secret = False

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author

    def validate(self, extra_validators=None):
        if super().validate(extra_validators):
            return True
        self.apply(self.also_refused())
        return False

    def also_refused(self):
        return {}

    def refused(self, exc):
        """A service's refusal (a ServiceError) onto the form; returns the form. A NotFound is
        no form's error: it goes on to answer 404."""
        if isinstance(exc, NotFound):
            raise exc
        self.secret = exc.secret
        return self.apply(exc.errors)


class _GuardsText(_AllAtOnce):
    TEXT = ()  # the fields the service scans for credentials (policy 8.5)

    def also_refused(self):
        found = tickets.secret_errors(self.author, {name: (self[name].data or "").strip()
                                                    for name in self.TEXT if not self[name].errors})
        self.secret = bool(found)
        return found


class NewTicketForm(_GuardsText):
    """File a ticket (policy 1.1, 1.2, 7.1); the page's inline checks read the same fields.
    A customer's form; `for_author` gives a partner member theirs (PartnerTicketForm)."""
    TEXT = ("subject", "body")
    for_partner = False
    product = SelectField("Product", choices=PRODUCTS, invalid_choice_message=tickets.PRODUCT_REFUSED,
                          render_kw={"required": True})
    version = StringField("Version", [Check(lambda form: tickets.check_version(form.version.data))], default="",
                          description="Four numbers, e.g. 8.1.0.3 (Help → About in the Viewer or Host).",
                          render_kw={"autocomplete": "off"})
    subject = StringField("Subject", [Check(lambda form: tickets.check_subject(form.subject.data))], default="",
                          render_kw={"autocomplete": "off", "required": True})
    body = TextAreaField("Describe the problem", [Check(lambda form: tickets.check_body(form.body.data))],
                         default="", description="Never paste passwords here; remote-access credentials have "
                                                 "their own form on the ticket (policy 8.5).",
                         render_kw={"rows": 8, "required": True})
    files = Attachments("Attachments (optional)", [valid_files])
    accept_policy = BooleanField("I accept the support policy.", [
        Check(lambda form: tickets.check_acceptance(form.author, form.accept_policy.data))],
        render_kw={"value": "1"})
    submit_token = HiddenField(default="")

    @classmethod
    def for_author(cls, *args, author, **kwargs):
        """The form `author` files with: a partner member's asks which end customer it is for."""
        partner_id = author.partner_id if getattr(author, "is_reseller", False) else None
        if partner_id is not None:
            return PartnerTicketForm(*args, author=author, partner_id=partner_id, **kwargs)
        return NewTicketForm(*args, author=author, **kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        config = current_app.config
        self.files.description = (f"Up to {attachments.MAX_FILES} files: "
                                  f"{', '.join(config['UPLOAD_EXTENSIONS'])}; "
                                  f"at most {config['MAX_CONTENT_LENGTH'] // 1048576} MB in all.")

    def end_customer(self):
        """(license id, company, email) for the service; () when the author is no partner member."""
        return ()


class PartnerTicketForm(NewTicketForm):
    """A partner member's ticket (policy 3.1 Decision): it says which end customer it is for, one
    of the partner's licenses or the customer's company and contact; the service checks them again.
    (A class of its own: a customer's form, filed far more often, binds none of these fields.)"""
    for_partner = True
    license = SelectField("End customer's license", choices=[], default="", validate_choice=True,
                          invalid_choice_message=partner_tickets.NOT_YOURS,
                          description="One of the licenses your partner sold, or give the customer below.")
    # typed into to narrow the licenses above (htmx); the Licenses page is the search without JavaScript
    license_q = StringField("Find a license", default="", render_kw={"type": "search", "autocomplete": "off"},
                            description="Part of the key, the delivery email or the customer's name.")
    end_customer_company = StringField("Or the end customer's company", default="",
                                       render_kw={"autocomplete": "organization"})
    end_customer_email = StringField("Their contact email", default="", render_kw={"autocomplete": "off"})

    def __init__(self, *args, partner_id, **kwargs):
        super().__init__(*args, **kwargs)
        # read when the field is drawn or validated, not for the draft checks typed into the form
        self.license.choices = lambda: self._license_choices(partner_id)

    def _license_choices(self, partner_id):
        """The partner's licenses matching "Find a license", the one already chosen kept."""
        return [SelectChoice("", "None: the customer is given below"), *(
            SelectChoice(str(lic.id), f"{partner_tickets.masked(lic.key)} · {lic.type} · {lic.order.delivery_email}")
            for lic in partner_tickets.licenses_of(partner_id, words=self.license_q.data,
                                                   keep=parse_id(self.license.data or "")))]

    def end_customer(self):
        return (int(self.license.data) if (self.license.data or "").isdigit() else None,
                self.end_customer_company.data, self.end_customer_email.data)


class ReplyForm(_GuardsText):
    """A reply on a ticket, by its requester or staff (who may make it an internal note)."""
    TEXT = ("body",)
    body = TextAreaField("Your reply", [Check(lambda form: tickets.check_reply(form.body.data))], default="",
                         id="f-reply", render_kw={"rows": 5, "required": True})
    files = Attachments("Attachments (optional)", [valid_files], id="f-reply-files")
    internal = BooleanField("Internal note (staff only)", render_kw={"value": "1"})


def _credential(name):
    return Check(lambda form: credentials.check_value(name, form[name].data))


class CredentialsForm(_AllAtOnce):
    """Remote-access credentials for a ticket (policy 8.5): stored encrypted, never shown back."""
    remote_id = NotEchoedText("Remote-access ID", [_credential("remote_id")],
                              render_kw={"autocomplete": "off", "required": True})
    password = PasswordField("Password", [_credential("password")],
                             render_kw={"autocomplete": "new-password", "required": True})
    notes = NotEchoedTextArea("Notes (optional)", [_credential("notes")], render_kw={"rows": 2})

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def also_refused(self):
        return credentials.submit_refusal(self.ticket, self.author)


class TicketFilterForm(Form):
    """The list's filters, read from the query string; a value outside the choices is ignored
    (the list shows every ticket and the filter says Any), never an error."""
    status = SelectField("Status", choices=[SelectChoice("", "Any"),
                                            *(SelectChoice(s, s.capitalize()) for s in STATUSES)], default="")
    product = SelectField("Product", choices=[SelectChoice("", "Any"), *map(SelectChoice, PRODUCTS)], default="")
    page = IntegerField(default=1)

    def __init__(self, args):
        super().__init__(formdata=args, meta={"csrf": False})
        self.validate()
        for field in self:
            if field.errors:
                field.data, field.errors = field.default, []

    FILTERS = ("status", "product")

    @property
    def wanted(self):
        """The filters of the list that are set (for the pager's links), the empty ones left out."""
        return {name: self[name].data for name in self.FILTERS if self[name].data}

    def list_filters(self):
        """The filters as the ticket service takes them."""
        return tickets.ListFilters(**{name: self[name].data for name in self.FILTERS if self[name].data})


class PartnerFilterForm(TicketFilterForm):
    """The Partner Area's list: also a search (ticket number, words of subject and messages, end
    customer), an end customer and the member who filed (policy 3.1 Decision); all in the URL."""
    q = StringField("Search", default="", render_kw={"type": "search", "autocomplete": "off",
                                                      "placeholder": "Number, words, customer"})
    customer = StringField("End customer", default="", render_kw={"autocomplete": "off"})
    filed_by = SelectField("Filed by", choices=[], default="")
    FILTERS = ("q", "status", "product", "customer", "filed_by")

    def __init__(self, args, author):
        self.colleagues = partners.members(author.partner_id) if author.partner_id else []
        super().__init__(args)

    def process(self, *args, **kwargs):
        self.filed_by.choices = [SelectChoice("", "Anyone"),
                                 *(SelectChoice(str(m.id), m.email) for m in self.colleagues)]
        super().process(*args, **kwargs)

    def list_filters(self):
        values = {name: (self[name].data or "").strip()[:100] for name in ("q", "status", "product", "customer")}
        filed_by = self.filed_by.data
        return tickets.ListFilters(**values, filed_by=int(filed_by) if (filed_by or "").isdigit() else None)


class ParticipantForm(Form):
    """Add a colleague of the ticket's partner as a participant (policy 3.1 Decision); the choices
    are the colleagues who may be added, and the service checks the partner again."""
    user = SelectField("Add a colleague", choices=[], validate_choice=True,
                       invalid_choice_message="Choose a colleague of your partner.")

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [SelectChoice(str(c.id), f"{c.name} <{c.email}>" if c.name else c.email)
                             for c in colleagues]


def _sequence(value):
    """The session version a page showed: a whole number, -1 (which no session has) for anything else."""
    text = str(value if value is not None else "")
    return int(text) if text.isdigit() and len(text) < 10 else -1


class SessionAnswerForm(Form):
    """The requester confirms the scheduled session's time; `sequence` is the version they saw, so an
    answer to a time changed meanwhile is refused (policy 8.1)."""
    sequence = HiddenField(filters=[lambda value: _sequence(value)])


class SessionChangeForm(SessionAnswerForm):
    """The requester asks for another time and says which suit them (no credentials, policy 8.5)."""
    note = TextAreaField("Which times suit you?", [Check(lambda form: session_answers.check_note(form.note.data))],
                         default="", id="f-session-note", render_kw={"maxlength": session_answers.MAX_NOTE, "rows": 2})
