"""Posting: who may (policy 4.4, 3.2), queue fields (2.1, 4.6), English notice (4.2), bad input."""
from datetime import timezone

from portal.models import Post, Thread
from portal.services import forum, get_policy
from portal.services.search import indexed_rows
from tests.factories import csrf_token
from tests.forum.helpers import HX, SPANISH, typed_in


def _new(client, **form):
    data = {"category": "general", "title": "Viewer cannot connect", "body": "Since the update it times out.",
            "csrf_token": csrf_token(client)} | form
    return client.post("/forum/new", data=data)


def test_verified_customer_starts_a_thread_with_queue_fields(client, login, make_user, general, app):
    user = make_user(level="PLUS")
    login(user)
    response = _new(client)
    assert response.status_code == 302
    thread = Thread.get()
    assert response.headers["Location"].endswith(f"/forum/t/{thread.id}")
    with app.app_context():
        policy = get_policy()
        # policy 2.1: a forum thread's due time comes from its author's level; 4.6: below all tickets
        assert thread.awaiting_staff and thread.level == "PLUS"
        assert thread.rank_band == policy.rank_band("forum", "PLUS") > policy.rank_band("ticket", "FREE")
        due = policy.first_response_due(thread.created_at, "PLUS")
        assert thread.due_at == due and thread.due_at.tzinfo is timezone.utc  # aware UTC, as every time column
    assert thread.is_english and Post.get().body == "Since the update it times out."
    assert indexed_rows(thread.id) == 2  # title and first post


def test_staff_thread_does_not_await_staff_and_first_staff_reply_answers(client, login, make_user, make_thread,
                                                                         general, app):
    staff, user = make_user(role="staff"), make_user(level="STARTER")
    own = make_thread(staff, general, "Announcement from staff", "news")
    assert not own.awaiting_staff and own.due_at is None
    thread = make_thread(user, general, "A customer question", "help")
    login(staff)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Here is the answer.", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    thread = Thread.get_by_id(thread.id)
    assert not thread.awaiting_staff and thread.first_response_at is not None
    assert thread.first_response_met is (thread.first_response_at <= thread.due_at)
    assert Post.get(Post.body == "Here is the answer.").is_staff_answer


def test_customer_reply_keeps_thread_waiting(client, login, make_user, make_thread, general):
    author, other = make_user(level="PRO"), make_user(level="FREE")
    thread = make_thread(author, general)
    login(other)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Same problem here.", "csrf_token": csrf_token(client)})
    thread = Thread.get_by_id(thread.id)
    assert thread.awaiting_staff and thread.post_count == 2
    assert not Post.get(Post.body == "Same problem here.").is_staff_answer


def test_unverified_and_anonymous_may_not_post(client, login, make_user, make_thread, general):
    thread = make_thread(make_user(level="PRO"), general)
    assert client.get("/forum/new").status_code == 302  # anonymous: log in first (policy 4.4)
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "x"}).status_code in (302, 400)
    login(make_user(level="PRO", verified=False))
    page = client.get("/forum/new").get_data(as_text=True)
    assert "Verify your email address first" in page and "policy 4.4" in page
    assert _new(client).status_code == 403
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "hello there", "csrf_token": csrf_token(client)})
    assert response.status_code == 403 and Post.select().count() == 1


def test_tickets_first_suggestion(client, login, make_user):
    """policy 4.6: a user who may file tickets is advised to file one instead."""
    login(make_user(level="PRO"))
    page = client.get("/forum/new").get_data(as_text=True)
    assert "data-tickets-first" in page and 'href="/tickets/new"' in page


def test_non_english_notice_while_typing_and_after_posting(client, login, make_user, general):
    """policy 4.2: told before (typing hint) and after submitting (flag and notice)."""
    login(make_user(level="PRO"))
    hint = client.post("/forum/check", data={"title": "Problema de conexión", "body": SPANISH,
                                             "csrf_token": csrf_token(client)}, headers=typed_in("body"))
    assert "English only" in hint.get_data(as_text=True) and "data-language" in hint.get_data(as_text=True)
    english = client.post("/forum/check", data={"body": "The viewer cannot connect to the host since yesterday.",
                                                "csrf_token": csrf_token(client)}, headers=typed_in("body"))
    assert "data-language" not in english.get_data(as_text=True)
    _new(client, title="Problema de conexión con el servidor", body=SPANISH)
    thread = Thread.get()
    assert thread.is_english is False
    assert "does not look English" in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)


def test_bad_input_gets_messages_and_writes_nothing(client, login, make_user, general):
    login(make_user(level="PRO"))
    cases = [({"title": "abc"}, "title of 5 to 200"), ({"title": "x" * 201}, "title of 5 to 200"),
             ({"body": "   \n "}, "Write something"), ({"body": "y" * 20_001}, "limited to 20,000"),
             ({"category": "no-such"}, "Choose a category")]
    for form, message in cases:
        response = _new(client, **form)
        assert response.status_code == 422, form
        assert message in response.get_data(as_text=True)
    assert Thread.select().count() == 0 and Post.select().count() == 0 and indexed_rows() == 0


def test_locked_thread_refuses_replies(client, login, make_user, make_thread, general, in_app):
    staff, user = make_user(role="staff"), make_user(level="PRO")
    thread = make_thread(user, general)
    in_app(forum.set_locked, staff, thread, True)
    login(user)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "data-locked" in page and 'id="reply-form"' not in page
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Let me in", "csrf_token": csrf_token(client)})
    assert response.status_code == 422 and "locked" in response.get_data(as_text=True)
    assert Post.select().count() == 1


def test_markup_and_script_are_inert(client, login, make_user, general):
    login(make_user(level="PRO"))
    _new(client, title="<script>alert(1)</script> title", body='<img src=x onerror=alert(1)> [x](javascript:alert(1))')
    html = client.get(f"/forum/t/{Thread.get().id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; title" in html
    assert "<img" not in html and 'href="javascript:' not in html
    assert "alert(1)" not in client.get("/forum").get_data(as_text=True).replace("&lt;script&gt;alert(1)", "")


def test_rate_limit_on_posting(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    thread = make_thread(user, general)
    login(user)
    csrf = csrf_token(client)
    codes = [client.post(f"/forum/t/{thread.id}/reply", data={"body": f"reply {n}", "csrf_token": csrf}).status_code
             for n in range(7)]
    assert codes[:6] == [302] * 6 and codes[6] == 429
    assert Post.select().count() == 7  # the seventh was never written
    too_fast = client.post(f"/forum/t/{thread.id}/reply", data={"body": "again", "csrf_token": csrf})
    assert "posting too fast" in too_fast.get_data(as_text=True)
    fragment = client.post(f"/forum/t/{thread.id}/reply", data={"body": "again", "csrf_token": csrf}, headers=HX)
    assert fragment.status_code == 200 and fragment.headers["HX-Retarget"] == "#forum-alert"


def test_htmx_reply_appends_post_without_reload(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    thread = make_thread(user, general)
    login(user)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "An *appended* reply", "csrf_token": csrf_token(client)},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'hx-swap-oob="beforeend:#posts"' in html and "<em>appended</em>" in html
    assert 'id="reply-form"' in html and "Your reply is posted." in html
    refused = client.post(f"/forum/t/{thread.id}/reply", data={"body": " ", "csrf_token": csrf_token(client)}, headers=HX)
    assert refused.status_code == 200 and "Write something" in refused.get_data(as_text=True)


def test_policy_2_1_thread_due_time_uses_the_level_as_of_today(app, client, make_user, login):
    """An expired license no longer ranks the author's new thread (policy 2.1, 3.4)."""
    from portal.models import Category, License, Thread
    from tests.factories import csrf_token, today
    Category.get_or_create(slug="general", defaults={"name": "General"})
    user = make_user(level="PRO")
    License.update(expires_on=today()).where(License.user == user).execute()
    login(user)
    client.post("/forum/new", data={"category": "general", "title": "Viewer shows a black screen",
                                    "body": "Since this morning the Viewer shows only a black screen.",
                                    "csrf_token": csrf_token(client, "/forum/new")})
    thread = Thread.get()
    assert thread.level == "FREE"
