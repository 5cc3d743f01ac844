"""Staff forms: FlaskForms whose choices are the services' constants; bad input comes back as the
forms' and services' messages on the page, beside the field, and writes nothing."""
import pathlib
import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm

from portal.models import PRODUCTS, STATUSES, AuditLog, Bug, RemoteSession, Ticket
from portal.policy import LEVELS
from portal.services import bugs, queue, sessions
from portal.web.forms import staff as staff_forms
from tests.factories import csrf_token

FORMS = [staff_forms.QueueFilterForm, staff_forms.ActionForm, staff_forms.PanelActionForm,
         staff_forms.AssignForm, staff_forms.UnassignForm, staff_forms.StatusForm, staff_forms.ReplyForm, staff_forms.NoteForm,
         staff_forms.CannedPickForm, staff_forms.BugForm, staff_forms.BugLinkForm, staff_forms.BugFilterForm,
         staff_forms.ScheduleForm, staff_forms.AuditFilterForm]
LIST_FORMS = (staff_forms.QueueFilterForm, staff_forms.CannedPickForm, staff_forms.BugFilterForm,
              staff_forms.AuditFilterForm)
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _options(html, select_id):
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return re.findall(r'value="([^"]*)"', select.group(1))


def _post(client, url, data, page, **kwargs):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, page)}, **kwargs)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_every_staff_form_is_a_flask_form_and_only_list_filters_go_without_a_token(app, form_class):
    assert issubclass(form_class, FlaskForm)
    with app.test_request_context():
        form = form_class(formdata=None)
        assert ("csrf_token" in form) is (form_class not in LIST_FORMS)


def test_staff_views_read_no_request_form_or_args_themselves():
    for path in (ROOT / "portal" / "web" / "staff").glob("*.py"):
        source = path.read_text()
        assert not re.search(r"request\.(form|args)\s*(\.get|\[)", source), path.name


def test_choices_are_the_services_constants(app):
    with app.test_request_context():
        filters = staff_forms.QueueFilterForm(formdata=None)
        assert [c.value for c in filters.level.iter_choices()] == ["", *LEVELS]
        assert [c.value for c in filters.product.iter_choices()] == ["", *PRODUCTS]
        assert [c.value for c in filters.assignee.iter_choices()] == list(queue.ASSIGNEE_CHOICES)
        assert [c.value for c in staff_forms.StatusForm(formdata=None).status.iter_choices()] == list(STATUSES)
        assert [c.value for c in staff_forms.BugForm(formdata=None).status.iter_choices()] == list(bugs.STATUSES)
        assert [c.value for c in staff_forms.BugFilterForm(formdata=None).status.iter_choices()] == \
            ["", *bugs.STATUSES]
        tools = staff_forms.ScheduleForm(formdata=None).tool
        assert [c.value for c in tools.iter_choices()] == list(sessions.TOOL_CHOICES)
        title = staff_forms.BugForm(formdata=None).title
        assert title.render_kw["maxlength"] == Bug.title.max_length == bugs.TITLE_MAX


def test_the_pages_offer_exactly_those_choices(app, client, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    page = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert _options(page, "f-status") == list(STATUSES)
    assert re.findall(r'name="tool"[^>]*value="([^"]*)"', page) == list(sessions.TOOL_CHOICES)
    bug_page = client.get("/staff/bugs").get_data(as_text=True)
    assert _options(bug_page, "f-status") == list(bugs.STATUSES)
    assert _options(bug_page, "f-status-filter") == ["", *bugs.STATUSES]
    queue_page = client.get("/staff/queue").get_data(as_text=True)
    assert _options(queue_page, "f-level") == ["", *LEVELS]
    assert _options(queue_page, "f-assignee") == list(queue.ASSIGNEE_CHOICES)


@pytest.mark.parametrize("status", ["deleted", "", "OPEN"])
def test_an_unknown_ticket_status_is_refused_beside_the_picker(app, client, make_user, login, make_ticket, status):
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    url = f"/staff/tickets/{ticket.id}"
    response = _post(client, f"{url}/status", {"status": status}, url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.lstrip().startswith("<form")
    assert '<p class="error" id="e-status">Choose one of: open, waiting, solved, closed.</p>' in html
    assert Ticket.get_by_id(ticket.id).status == "open" and AuditLog.select().count() == 0


@pytest.mark.parametrize("status", ["closed", "reopened", "FIXED"])
def test_an_unknown_bug_state_is_refused_on_create_and_update(client, make_user, login, status):
    login(make_user(role="staff"))
    fields = {"title": "Viewer freezes", "workaround": "Use one monitor.", "status": status}
    response = _post(client, "/staff/bugs", fields, "/staff/bugs")
    assert response.status_code == 400
    assert '<p class="error" id="e-status">Status is open or fixed.</p>' in response.get_data(as_text=True)
    assert Bug.select().count() == 0
    bug = Bug.create(title="Viewer freezes", status="open", workaround="Use one monitor.")
    response = _post(client, f"/staff/bugs/{bug.id}", fields, f"/staff/bugs/{bug.id}")
    assert response.status_code == 400 and "Status is open or fixed." in response.get_data(as_text=True)
    assert Bug.get_by_id(bug.id).status == "open"


def test_bad_bug_fields_show_every_message_at_once_and_keep_what_was_typed(client, make_user, login):
    login(make_user(role="staff"))
    response = _post(client, "/staff/bugs", {"title": "ab", "eta": "31/01/2027", "status": "fixed",
                                             "workaround": "", "fixed_in": ""}, "/staff/bugs")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for name, message in (("title", "Give a title of 3 to 200 characters."),
                          ("eta", "Give the ETA as a date (YYYY-MM-DD)."),
                          ("workaround", "(policy 5.3)"), ("fixed_in", "Name the version that ships the fix.")):
        assert re.search(rf'<p class="error" id="e-{name}">[^<]*{re.escape(message)}', html), name
    assert 'value="ab"' in html and 'value="31/01/2027"' in html and Bug.select().count() == 0


def test_the_bug_list_filter_ignores_an_unknown_state_and_pages_from_one(client, make_user, login):
    login(make_user(role="staff"))
    Bug.create(title="Open one", status="open", workaround="w")
    Bug.create(title="Fixed one", status="fixed", workaround="w", fixed_in="8.1.0.3")
    for query in ({"status": "closed"}, {"status": "closed", "page": "x"}, {"page": "-4"}):
        html = client.get("/staff/bugs", query_string=query).get_data(as_text=True)
        assert "Open one" in html and "Fixed one" in html and "<span>Page 1</span>" in html, query
    fixed = client.get("/staff/bugs", query_string={"status": "fixed"}).get_data(as_text=True)
    assert "Open one" not in fixed and re.search(r'<option (selected value="fixed"|value="fixed" selected)>', fixed)


def test_bad_session_fields_are_refused_with_their_messages(app, client, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    agent = login(make_user(role="staff"))
    url = f"/staff/tickets/{ticket.id}"
    response = _post(agent, f"{url}/sessions", {"agent": "x", "starts_on": "2031-13-01", "starts_time": "25:00",
                                                "tool": sessions.OTHER_TOOL}, url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="error" id="e-ops-agent">Choose a staff member as the agent.</p>' in html
    assert '<p class="error" id="e-ops-starts-on">Give the start as a date and a time (Pacific time).</p>' in html
    assert '<p class="error" id="e-ops-starts-time">Enter a time like 10:30.</p>' in html
    assert 'value="2031-13-01"' in html and re.search(r'<input checked[^>]*value="other"', html)
    assert RemoteSession.select().count() == 0


def test_an_empty_note_or_canned_reply_is_refused_beside_its_field(app, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    admin = login(make_user(role="admin"), app.test_client())
    url = f"/staff/tickets/{ticket.id}"
    note = _post(admin, f"{url}/note", {"note": "  "}, url).get_data(as_text=True)
    assert '<p class="error" id="e-note">Write something first.</p>' in note
    from portal.models import CannedReply
    admin.get("/staff/canned")  # seeds the replies
    reply = CannedReply.get(CannedReply.key == "scope-6.1")
    html = _post(admin, f"/staff/canned/{reply.id}", {"title": "T" * 121, "body": ""}, "/staff/canned").get_data(
        as_text=True)
    assert f'id="f-title-{reply.id}"' in html and f'id="f-body-{reply.id}"' in html  # one form per reply
    assert f'<p class="error" id="e-title-{reply.id}">Keep the title under 120 characters.</p>' in html
    assert f'<p class="error" id="e-body-{reply.id}">The reply cannot be empty.</p>' in html  # both at once
    assert CannedReply.get_by_id(reply.id).title != "T" * 121


@pytest.mark.parametrize("move", ["claim", "assign", "unassign"])
def test_a_closed_ticket_offers_no_assignment_and_refuses_one_with_409(app, client, make_user, login, make_ticket,
                                                                       move):
    agent = make_user(role="staff")
    ticket = make_ticket(make_user(level="PRO"), status="closed",
                         assignee=agent if move == "unassign" else None)
    login(agent)
    url = f"/staff/tickets/{ticket.id}"
    page = client.get(url).get_data(as_text=True)
    assert "reopen it to change who works on it" in page and f"{url}/{move}" not in page
    response = _post(client, f"{url}/{move}", {"agent": agent.id}, url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and html.lstrip().startswith('<section class="card assignment"')
    assert "This ticket is closed; reopen it before changing who works on it." in html
    assert Ticket.get_by_id(ticket.id).assignee_id == (agent.id if move == "unassign" else None)


def test_radio_buttons_render_as_a_fieldset_with_a_label_per_choice(app):
    with app.test_request_context():
        form = staff_forms.ScheduleForm(formdata=None)
        form.apply({"tool": "Pick one."})
        html = render_template_string('{% from "_macros/forms.html" import render_field %}'
                                      '{{ render_field(form.tool) }}', form=form)
    assert html.startswith('<fieldset class="field has-error" id="ops-tool">')
    assert "<legend>Tool (policy 8.3, 8.4)</legend>" in html
    assert re.search(r'<label class="check"><input aria-describedby="e-ops-tool" aria-invalid="true" checked '
                     r'id="ops-tool-0" name="tool" type="radio" value="Remote Utilities"> Remote Utilities</label>', html)
    assert '<p class="error" id="e-ops-tool">Pick one.</p>' in html
