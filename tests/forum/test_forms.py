"""Forum forms: FlaskForms with the forum service's rules, bounds, choices and messages; the typing
hints check the one field typed in with the same class; staff moderation forms say which state they
ask for (policy 4.4, 8.5, 8.6)."""
import re

import pytest
from flask_wtf import FlaskForm

from portal.models import AuditLog, Category, Post, Thread
from portal.services import forum
from portal.services.search import MAX_QUERY_CHARS
from portal.web.extensions import limiter
from portal.web.forms import forum as forms
from tests.factories import csrf_token
from tests.forum.helpers import HX, SECRET, typed_in

POSTING = [forms.NewThreadForm, forms.ReplyForm, forms.LockForm, forms.HideForm, forms.AcceptForm, forms.MoveForm]
CLEAN_BODY = "The Viewer cannot connect to the Host since the last update."


@pytest.fixture(autouse=True)
def _fresh_rate_limit(app):
    limiter.reset()  # several posts per test: the posting budget is the test's own


def _new(client, **form):
    data = {"category": "general", "title": "Viewer cannot connect", "body": CLEAN_BODY,
            "csrf_token": csrf_token(client)} | form
    return client.post("/forum/new", data=data)


def _new_form(app, user, **data):
    """NewThreadForm for `user`, validated on `data` (no CSRF: the form's own checks only)."""
    with app.test_request_context(method="POST", data=data):
        form = forms.NewThreadForm.for_user(user, meta={"csrf": False})
        return form.validate(), form


def _ids(html):
    return re.findall(r'\sid="([^"]+)"', html)


@pytest.mark.parametrize("form_class", POSTING, ids=lambda c: c.__name__)
def test_every_forum_form_that_changes_something_is_a_flask_form_with_its_token(app, form_class):
    assert issubclass(form_class, FlaskForm)
    with app.test_request_context():
        assert "csrf_token" in form_class(formdata=None)


def test_the_search_forms_are_get_forms_without_a_token(app, client, make_user, make_thread, general):
    make_thread(make_user(level="PRO"), general, "Relay server drops connections", "after an hour")
    with app.test_request_context():
        assert "csrf_token" not in forms.SearchForm(formdata=None)
        assert "csrf_token" not in forms.QuickSearchForm(formdata=None)
    page = client.get("/forum/search", query_string={"q": "  relay " + "x" * 300})  # no token needed
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Relay server drops connections" in html
    shown = re.search(r'<input[^>]*id="f-q"[^>]*>', html).group(0)
    assert f'value="relay {"x" * (MAX_QUERY_CHARS - len("relay "))}"' in shown  # trimmed, then cut
    assert f'maxlength="{MAX_QUERY_CHARS}"' in shown and 'hx-get="/forum/search"' in shown


def test_the_pages_carry_the_services_bounds_and_a_hint_box_per_field(client, login, make_user, general):
    login(make_user(level="PRO"))
    html = client.get("/forum/new").get_data(as_text=True)
    title = re.search(r'<input[^>]*id="f-title"[^>]*>', html).group(0)
    body = re.search(r'<textarea[^>]*id="f-body"[^>]*>', html).group(0)
    assert f'minlength="{forum.TITLE_MIN}"' in title and f'maxlength="{forum.TITLE_MAX}"' in title
    assert f'maxlength="{forum.BODY_MAX}"' in body
    for control in (title, body):  # each field's hints land in the box after it, checked on their own
        assert 'hx-post="/forum/check"' in control and 'hx-target="next .forum-hint"' in control
        assert 'hx-sync="this:replace"' in control
    assert re.search(r'id="f-title".*?class="forum-hint".*?id="f-body".*?class="forum-hint"', html, re.S)


@pytest.mark.parametrize("field, value, message", [
    ("title", "x" * (forum.TITLE_MIN - 1), "title of 5 to 200"),
    ("title", "x" * (forum.TITLE_MAX + 1), "title of 5 to 200"),
    ("title", "   ", "Give the thread a title."),
    ("body", "y" * (forum.BODY_MAX + 1), "limited to 20,000 characters; this one has 20,001"),
    ("body", " \n ", "Write something before posting."),
], ids=["short title", "long title", "blank title", "long body", "blank body"])
def test_length_limits_refuse_just_past_the_bound_with_the_services_message(app, make_user, general,
                                                                           field, value, message):
    user = make_user(level="PRO")
    data = {"category": "general", "title": "Viewer cannot connect", "body": CLEAN_BODY} | {field: value}
    valid, form = _new_form(app, user, **data)
    assert not valid and message in form[field].errors[0]
    assert not getattr(form[field], "secret", False)


def test_length_limits_accept_the_bounds_themselves(app, make_user, general):
    user = make_user(level="PRO")
    for title, body in (("x" * forum.TITLE_MIN, "y"), ("x" * forum.TITLE_MAX, "y " * (forum.BODY_MAX // 2))):
        valid, form = _new_form(app, user, category="general", title=title, body=body)
        assert valid, form.errors


def test_bad_input_gets_every_message_on_the_page_and_writes_nothing(client, login, make_user, general):
    login(make_user(level="PRO"))
    response = _new(client, category="no-such", title="abc", body="  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Choose a category.", "title of 5 to 200", "Write something before posting."):
        assert message in html
    assert 'id="e-category"' in html and 'id="e-title"' in html and 'id="e-body"' in html
    assert 'value="abc"' in html  # the text typed stays
    assert Thread.select().count() == 0 and Post.select().count() == 0


def test_unknown_and_unavailable_categories_are_refused(app, client, login, make_user, general, private):
    with app.app_context():
        Category.create(slug="announcements", name="Announcements", position=4, staff_threads_only=True)
    customer, staff = make_user(level="PRO"), make_user(role="staff")
    assert [slug for slug, _ in _new_form(app, customer)[1].category.choices] == ["general"]
    assert {slug for slug, _ in _new_form(app, staff)[1].category.choices} == {"general", "announcements",
                                                                                "staff-notes"}
    login(customer)
    for slug in ("no-such", "staff-notes", "announcements", ""):
        response = _new(client, category=slug)
        assert response.status_code == 422 and forum.CHOOSE_CATEGORY in response.get_data(as_text=True), slug
    # the page's preselected category (?category=) is for showing the form: a submit must name one
    assert '<option selected value="general">' in client.get("/forum/new?category=general").get_data(as_text=True)
    unnamed = client.post("/forum/new?category=general", data={"title": "Viewer cannot connect", "body": CLEAN_BODY,
                                                               "csrf_token": csrf_token(client)})
    assert unnamed.status_code == 422 and forum.CHOOSE_CATEGORY in unnamed.get_data(as_text=True)
    assert Thread.select().count() == 0


def test_a_member_who_may_not_post_is_told_so_whatever_the_input(client, login, make_user, make_thread, general):
    """policy 4.4: an unverified account gets the 403 refusal, not the form's messages."""
    thread = make_thread(make_user(level="PRO"), general)
    login(make_user(level="PRO", verified=False))
    bad = _new(client, title="abc", body=" ")
    assert bad.status_code == 403 and "Verify your email address first" in bad.get_data(as_text=True)
    reply = client.post(f"/forum/t/{thread.id}/reply", data={"body": " ", "csrf_token": csrf_token(client)})
    assert reply.status_code == 403 and Post.select().count() == 1


def test_a_secret_is_refused_by_the_form_with_the_pointer_to_tickets(client, login, make_user, general):
    login(make_user(level="PRO"))
    response = _new(client, body=SECRET)
    html = response.get_data(as_text=True)
    refusal = re.search(r"<span data-secret-refused>(.*?)</span>", html, re.S).group(1)
    assert response.status_code == 422 and "appears to contain" in refusal
    assert 'href="/tickets/new"' in refusal and "policy 8.5" in refusal
    assert "data-secret-refused" not in _new(client, title="abc").get_data(as_text=True)  # only for secrets


def test_the_typing_hint_checks_only_the_field_typed_in(client, login, make_user):
    login(make_user(level="PRO"))
    token = csrf_token(client)
    data = {"title": "Host 123 456 789 password: Xy7!kq9Lm", "body": CLEAN_BODY, "csrf_token": token}
    title = client.post("/forum/check", data=data, headers=typed_in("title")).get_data(as_text=True)
    body = client.post("/forum/check", data=data, headers=typed_in("body")).get_data(as_text=True)
    assert "data-secret-warning" in title and "data-secret-warning" not in body
    spanish = {"title": "Problema de conexión", "body": "Hola, no puedo conectar con el servidor desde ayer.",
               "csrf_token": token}
    assert "data-language" not in client.post("/forum/check", data=spanish,
                                              headers=typed_in("title")).get_data(as_text=True)
    assert "data-language" in client.post("/forum/check", data=spanish,
                                          headers=typed_in("body")).get_data(as_text=True)
    short = client.post("/forum/check", data={"body": "", "csrf_token": token}, headers=typed_in("body"))
    assert short.status_code == 200 and "Write something" not in short.get_data(as_text=True)  # hints, not errors
    for headers in (HX, typed_in("category"), typed_in("csrf_token")):
        assert client.post("/forum/check", data=data, headers=headers).status_code == 400


def test_the_hint_and_the_refusal_give_the_same_reason(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    thread = make_thread(user, general)
    login(user)
    token = csrf_token(client)
    hint = client.post("/forum/check", data={"body": SECRET, "csrf_token": token}, headers=typed_in("body"))
    reason = re.search(r"data-secret-warning>(.*?) Such a post", hint.get_data(as_text=True), re.S).group(1)
    refused = client.post(f"/forum/t/{thread.id}/reply", data={"body": SECRET, "csrf_token": token})
    assert refused.status_code == 422 and reason in refused.get_data(as_text=True)


def test_an_open_edit_form_and_the_reply_form_share_no_ids(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    post = Post.get(Post.thread == make_thread(user, general).id)
    login(user)
    page = client.get(f"/forum/t/{post.thread_id}").get_data(as_text=True)
    editor = client.get(f"/forum/p/{post.id}/edit", headers=HX).get_data(as_text=True)
    assert f'<label for="f-body-{post.id}">' in editor and f'aria-describedby="h-body-{post.id}"' in editor
    # the edit form replaces the post's article, whose id it takes over
    assert set(_ids(page)) & set(_ids(editor)) == {f"post-{post.id}"}
    refused = client.post(f"/forum/p/{post.id}/edit", data={"body": " ", "csrf_token": csrf_token(client)},
                          headers=HX).get_data(as_text=True)
    assert f'id="e-body-{post.id}"' in refused and "Write something" in refused


@pytest.mark.parametrize("form_class, flag, sent, wanted", [
    (forms.LockForm, "locked", "1", True), (forms.LockForm, "locked", "0", False),
    (forms.LockForm, "locked", "yes", False), (forms.LockForm, "locked", None, False),
    (forms.HideForm, "hidden", "1", True), (forms.HideForm, "hidden", None, False),
    (forms.AcceptForm, "accepted", "0", False), (forms.AcceptForm, "accepted", None, True),
])
def test_moderation_flags_say_which_state_they_ask_for(app, form_class, flag, sent, wanted):
    with app.test_request_context(method="POST", data={flag: sent} if sent is not None else {}):
        form = form_class(meta={"csrf": False})
        assert form.validate() and form[flag].data is wanted


def test_moderation_pages_render_the_asked_state(app, client, login, make_user, make_thread, general, in_app):
    staff = make_user(role="staff")
    thread = make_thread(make_user(level="PRO"), general)
    post = Post.get(Post.thread == thread.id)
    in_app(forum.set_locked, staff, thread, True)
    login(staff)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert 'name="locked" value="0"' in page and "Unlock thread" in page
    assert 'name="hidden" value="1"' in page and 'name="accepted" value="1"' in page
    client.post(f"/forum/t/{thread.id}/lock", data={"locked": "yes", "csrf_token": csrf_token(client)})
    assert not Thread.get_by_id(thread.id).locked  # only "1" asks for the flag
    client.post(f"/forum/p/{post.id}/hide", data={"hidden": "1", "csrf_token": csrf_token(client)})
    refused = client.post(f"/forum/p/{post.id}/accept", data={"accepted": "1", "csrf_token": csrf_token(client)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and forum.NOT_ACCEPTABLE in html
    assert '<details class="card forum-moderation" open>' in html
    assert Thread.get_by_id(thread.id).accepted_post is None


def test_move_offers_every_category_staff_see_and_refuses_others(app, client, login, make_user, make_thread,
                                                                 general, private):
    staff = make_user(role="staff")
    thread = make_thread(make_user(level="PRO"), general)
    login(staff)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="f-move".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', select) == ["general", "staff-notes"]
    assert '<option selected value="general">' in select
    response = client.post(f"/forum/t/{thread.id}/move", data={"category": "nowhere",
                                                               "csrf_token": csrf_token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and forum.CHOOSE_MOVE_CATEGORY in html and 'id="e-move"' in html
    assert Thread.get_by_id(thread.id).category_id == general.id
    unnamed = client.post(f"/forum/t/{thread.id}/move", data={"csrf_token": csrf_token(client)})
    assert unnamed.status_code == 422 and forum.CHOOSE_MOVE_CATEGORY in unnamed.get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.action == "forum_move").count() == 0
    moved = client.post(f"/forum/t/{thread.id}/move", data={"category": "staff-notes",
                                                            "csrf_token": csrf_token(client)})
    assert moved.status_code == 302 and Thread.get_by_id(thread.id).category_id == private.id
