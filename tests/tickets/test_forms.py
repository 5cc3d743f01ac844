"""The tickets area's forms (portal/web/forms/tickets.py): FlaskForms whose rules, bounds, choices
and messages are the services' own, drawn by render_field, used by the new-ticket page's checks."""
import io
import re

import pytest
from flask_wtf import FlaskForm

from portal.models import PRODUCTS, STATUSES, Credential, Message, Ticket
from portal.services import attachments, credentials
from portal.services import tickets as service
from portal.services.errors import ServiceError
from portal.web.forms import tickets as forms
from tests.tickets.conftest import post, submit_token, text
from tests.tickets.test_filing import FORM

PASTED = "Please connect.\nuser: administrator password: Winter2026!Acme\nThanks"


def _new(client, **changes):
    data = FORM | {"submit_token": submit_token(text(client.get("/tickets/new")))} | changes
    return post(client, "/tickets/new", {k: v for k, v in data.items() if v is not None},
                content_type="multipart/form-data")


def _error(html, key):
    found = re.search(rf'<p class="error" id="e-{key}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else ""


@pytest.mark.parametrize("form_class", [forms.NewTicketForm, forms.ReplyForm, forms.CredentialsForm,
                                        forms.TicketFilterForm])
def test_every_tickets_form_is_a_flask_form(form_class):
    assert issubclass(form_class, FlaskForm)


@pytest.mark.parametrize("changes", [
    {"product": "TeamViewer", "version": "8.1", "subject": "ab", "body": "short"},
    {"product": "", "version": "1.2.3." + "4" * 30, "subject": " ", "body": "  "},
    {"subject": "S" * 201, "body": "B" * 20_001},
    {"version": "8.1.0.3.7", "accept_policy": ""},
])
def test_the_form_refuses_with_the_services_own_messages(app, user, changes):
    """What the page says for each field is what the service says for the same draft."""
    requester = user(level="PRO")
    draft = FORM | changes
    with app.test_request_context(method="POST", data=draft):
        form = forms.NewTicketForm(author=requester, meta={"csrf": False})
        assert not form.validate()
        shown = {field.name: " ".join(field.errors) for field in form if field.errors}
        with pytest.raises(ServiceError) as refused:
            service.check_new_ticket(requester, draft["product"], draft["version"], draft["subject"],
                                     draft["body"], accept_policy=bool(draft["accept_policy"]))
    assert shown == refused.value.errors


def test_bad_input_gets_the_same_messages_on_the_page(user, client_for):
    client = client_for(user(level="PRO"))
    response = _new(client, product="TeamViewer", version="8.1", subject="ab", body="short", accept_policy=None)
    html = text(response)
    assert response.status_code == 400
    assert _error(html, "product") == "Choose Remote Utilities or Remote Utilities Server."
    assert _error(html, "version") == "Write the version as four numbers, like 7.6.2.0 (policy 7.1)."
    assert _error(html, "subject") == "Give a subject of 3 to 200 characters."
    assert _error(html, "body") == "Describe the problem in 10 to 20,000 characters."
    assert _error(html, "accept_policy") == "Please accept the support policy to file a ticket (policy 1.2)."
    assert 'value="ab"' in html and "short</textarea>" in html  # what was typed stays
    assert Ticket.select().count() == 0


@pytest.mark.parametrize("field, limit", [("subject", 200), ("body", 20_000)])
def test_new_ticket_length_limits(user, client_for, field, limit):
    client = client_for(user(level="PRO"))
    over = _new(client, **{field: "x" * (limit + 1)})
    assert over.status_code == 400 and _error(text(over), field)
    assert _new(client, **{field: "x" * limit}).status_code == 302


def test_products_outside_the_constant_are_refused_and_the_choices_are_the_constant(app, user, client_for):
    client = client_for(user(level="PRO"))
    html = text(client.get("/tickets/new"))
    select = html[html.index('<select id="f-product"'):]
    assert re.findall(r'<option[^>]*value="([^"]*)"', select[:select.index("</select>")]) == list(PRODUCTS)
    for product in ("Remote Utilities Viewer", "remote utilities", "Remote Utilities' OR 1=1"):
        response = _new(client, product=product)
        assert response.status_code == 400 and _error(text(response), "product") == service.PRODUCT_REFUSED
    assert Ticket.select().count() == 0


def test_a_refused_form_also_says_the_text_carries_a_password(user, client_for):
    """The fields refuse first, yet the credentials in the text are named at once, with the pointer."""
    client = client_for(user(level="PRO"))
    html = text(_new(client, subject="ab", body=PASTED))
    assert _error(html, "subject") == "Give a subject of 3 to 200 characters."
    assert "appears to contain a password" in _error(html, "body")
    assert "data-credentials-pointer" in html and Ticket.select().count() == 0
    plain = text(_new(client, subject="ab"))
    assert "data-credentials-pointer" not in plain


def test_a_refused_file_and_a_refused_field_show_together(user, client_for):
    client = client_for(user(level="PRO"))
    html = text(_new(client, subject="ab", files=[(io.BytesIO(b"MZ\x90\x00"), "tool.exe")]))
    assert _error(html, "subject") and "only these file types" in _error(html, "files")


def test_files_reach_the_service_as_typed_values(app):
    with app.test_request_context(method="POST", data={"files": [(io.BytesIO(b"line\n"), "host.log"),
                                                                 (io.BytesIO(b""), "")]}):
        files = forms.ReplyForm(author=None).files.data
    assert files == [attachments.Incoming("host.log", b"line\n")]  # the empty file input gives none


@pytest.mark.parametrize("name", ["../../etc/passwd évil name.txt", "Скриншот.png", r"C:\temp\a b.log", ".hidden",
                                  "a\tb\nc.txt", "  spaced  .zip", "x" * 300 + ".pdf", "con.txt", "", "..", "ü.jpeg"])
def test_the_services_plain_name_is_werkzeugs_secure_filename(name):
    from werkzeug.utils import secure_filename
    assert attachments.plain_name(name) == secure_filename(name)


def test_reply_form_messages_and_limit(user, ticket, client_for):
    owner = user(level="PRO")
    client, t = client_for(owner), ticket(owner)
    assert _error(text(post(client, f"/tickets/{t.id}/reply", {"body": " "})), "reply") == "Write a reply."
    long = text(post(client, f"/tickets/{t.id}/reply", {"body": "y" * 20_001}))
    assert _error(long, "reply") == "Replies are limited to 20,000 characters; this one has 20,001."
    assert post(client, f"/tickets/{t.id}/reply", {"body": "y" * 20_000}).status_code == 302
    refused = text(post(client, f"/tickets/{t.id}/reply", {"body": "Log", "files": [(io.BytesIO(b""), "a.txt")]},
                        content_type="multipart/form-data"))
    assert _error(refused, "reply-files") == "a.txt: the file is empty."
    assert Message.select().count() == 2


@pytest.mark.parametrize("field, limit", sorted(credentials.LIMITS.items()))
def test_credentials_length_limits_never_echo_what_was_typed(user, ticket, client_for, field, limit):
    owner = user(level="PRO")
    client, t = client_for(owner), ticket(owner)
    values = {"remote_id": "123-456-789", "password": "Tr0ub4dor&3", "notes": "admin"}
    typed = "Q" * (limit + 1)
    response = post(client, f"/tickets/{t.id}/credentials", values | {field: typed})
    html = text(response)
    assert response.status_code == 400 and _error(html, field) == f"At most {limit} characters."
    assert typed not in html and "123-456-789" not in html and "Tr0ub4dor" not in html
    assert Credential.select().count() == 0
    assert post(client, f"/tickets/{t.id}/credentials", values | {field: "Q" * limit}).status_code == 302


def test_credentials_refused_fields_and_the_refusal_of_the_account_show_together(user, ticket, client_for):
    # policy 8.2: a FREE account may not send credentials; its form is not shown, the reason is
    owner = user(level="FREE")
    client, t = client_for(owner), ticket(owner)
    html = text(post(client, f"/tickets/{t.id}/credentials", {"remote_id": "", "password": ""}))
    assert "only for commercial licenses" in html and Credential.select().count() == 0


def test_the_list_filters_offer_the_constants_and_ignore_anything_else(user, ticket, client_for):
    owner = user(level="PRO")
    ticket(owner)
    client = client_for(owner)
    html = text(client.get("/tickets/"))
    status = html[html.index('<select id="f-status"'):]
    assert re.findall(r'value="([^"]*)"', status[:status.index("</select>")]) == ["", *STATUSES]
    product = html[html.index('<select id="f-product"'):]
    assert re.findall(r'value="([^"]*)"', product[:product.index("</select>")]) == ["", *PRODUCTS]
    for query in ({"status": "deleted"}, {"product": "TeamViewer"}, {"page": "two"}):
        odd = text(client.get("/tickets/", query_string=query))
        assert odd.count("data-ticket=") == 1 and 'class="error"' not in odd, query
        assert re.search(r'<option (?=[^>]*\bselected\b)[^>]*value=""', odd), query  # shown as Any
    closed = text(client.get("/tickets/", query_string={"status": "closed"}))
    assert closed.count("data-ticket=") == 0 and "match these filters" in closed


def test_the_filter_form_is_a_get_form_without_a_token(app):
    with app.test_request_context("/tickets/?status=open&product=x&page=3"):
        from flask import request
        filters = forms.TicketFilterForm(request.args)
        assert "csrf_token" not in filters
        assert filters.wanted == {"status": "open"} and filters.page.data == 3


def test_the_inline_checks_validate_only_the_field_they_answer_for(user, client_for, releases):
    client = client_for(user(level="PRO"))
    hx = {"HX-Request": "true"}
    good = text(client.get("/tickets/new/check", query_string={"product": "Remote Utilities",
                                                                "version": "7.6.2.0"}, headers=hx))
    assert 'data-verdict="unsupported"' in good
    # a product outside PRODUCTS gets no verdict, and the answer is still only the checks block
    odd = text(client.get("/tickets/new/check", query_string={"product": "TeamViewer", "version": "7.6.2.0"},
                          headers=hx))
    assert odd.lstrip().startswith('<div id="checks"') and "data-verdict" not in odd and "e-product" not in odd


def test_similar_threads_look_up_only_a_subject_the_form_accepts(user, client_for, monkeypatch):
    from portal.web import tickets as views
    asked = []
    monkeypatch.setattr(views, "search_threads", lambda query, limit: asked.append(query) or [])
    client = client_for(user(level="PRO"))
    hx = {"HX-Request": "true"}
    for subject in ("ab", "  ", "S" * 201):
        assert client.get("/tickets/new/similar", query_string={"subject": subject}, headers=hx).status_code == 200
    assert asked == []
    client.get("/tickets/new/similar", query_string={"subject": "  viewer cannot connect "}, headers=hx)
    client.get("/tickets/new/similar", query_string={"q": "host install"}, headers=hx)
    assert asked == ["viewer cannot connect", "host install"]


def test_the_macro_takes_a_label_and_content_below_the_errors(app):
    from flask import render_template_string
    page = ('{% from "_macros/forms.html" import render_field %}{% set label %}I accept <a href="/p">this</a>'
            '{% endset %}{{ render_field(form.accept_policy, label=label) }}'
            '{% call render_field(form.body) %}<p id="below">Pointer</p>{% endcall %}')
    with app.test_request_context():
        form = forms.NewTicketForm(formdata=None, author=None).apply({"body": "Describe it."})
        html = render_template_string(page, form=form)
    assert '<label for="f-accept_policy">I accept <a href="/p">this</a></label>' in html
    assert re.search(r'id="e-body">Describe it\.</p>\s*<p id="below">Pointer</p>\s*</div>', html)


def test_a_customer_files_with_a_form_without_the_partner_fields(app, user):
    """policy 3.1 Decision: only a partner member says which end customer a ticket is for; the
    customer's form, filed far more often, binds none of those fields."""
    from tests import factories
    customer = user(level="PRO")
    with app.app_context():
        _, (manager,) = factories.make_partner()
    with app.test_request_context():
        mine = forms.NewTicketForm.for_author(author=customer, meta={"csrf": False})
        theirs = forms.NewTicketForm.for_author(author=manager, meta={"csrf": False})
    partner_fields = {"license", "license_q", "end_customer_company", "end_customer_email"}
    assert type(mine) is forms.NewTicketForm and not mine.for_partner and mine.end_customer() == ()
    assert not partner_fields & {field.name for field in mine}
    assert isinstance(theirs, forms.PartnerTicketForm) and theirs.for_partner
    assert partner_fields <= {field.name for field in theirs}
