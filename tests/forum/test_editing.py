"""Authors edit their own posts within the edit window (FORUM_EDIT_WINDOW_MINUTES, default 30)."""
import datetime

from portal.models import Post
from portal.services import forum
from tests.factories import csrf_token
from tests.forum.helpers import HX


def _post_of(thread):
    return Post.get(Post.thread == thread.id)


def test_author_edits_within_window_in_place(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general, "Viewer question here", "first text"))
    login(user)
    page = client.get(f"/forum/t/{post.thread_id}").get_data(as_text=True)
    assert f'hx-get="/forum/p/{post.id}/edit"' in page and 'hx-target="this" hx-swap="outerHTML"' in page
    form = client.get(f"/forum/p/{post.id}/edit", headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<form id="post-{post.id}"') and "first text" in form
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "second **text**", "csrf_token": csrf_token(client)},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<article id="post-{post.id}"') and "<strong>text</strong>" in html
    post = Post.get_by_id(post.id)
    assert post.body == "second **text**" and post.edited_at is not None


def test_edit_without_javascript_redirects_to_the_post(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general))
    login(user)
    assert "<html" in client.get(f"/forum/p/{post.id}/edit").get_data(as_text=True)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "changed", "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/forum/p/{post.id}")
    follow = client.get(response.headers["Location"])
    assert follow.status_code == 302 and follow.headers["Location"].endswith(f"#post-{post.id}")


def test_someone_elses_post_cannot_be_edited(client, login, make_user, make_thread, general):
    author, other = make_user(level="PRO"), make_user(level="PRO")
    post = _post_of(make_thread(author, general))
    login(other)
    assert 'hx-get="/forum/p/' not in client.get(f"/forum/t/{post.thread_id}").get_data(as_text=True)
    page = client.get(f"/forum/p/{post.id}/edit")
    assert page.status_code == 403 and "only edit your own posts" in page.get_data(as_text=True)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "vandalised", "csrf_token": csrf_token(client)})
    assert response.status_code == 403 and "only edit your own posts" in response.get_data(as_text=True)
    assert Post.get_by_id(post.id).body == "Step by step, please."


def test_edit_window_closes(client, login, make_user, make_thread, general, app):
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general))
    Post.update(created_at=post.created_at - datetime.timedelta(minutes=31)).where(Post.id == post.id).execute()
    login(user)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "late change", "csrf_token": csrf_token(client)})
    assert response.status_code == 403 and "30 minutes" in response.get_data(as_text=True)
    assert Post.get_by_id(post.id).body == "Step by step, please."
    app.config["FORUM_EDIT_WINDOW_MINUTES"] = 60  # configurable
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "late change", "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and Post.get_by_id(post.id).body == "late change"


def test_edit_rejects_empty_and_huge(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general))
    login(user)
    for body, message in ((" ", "Write something"), ("z" * 20_001, "limited to 20,000")):
        response = client.post(f"/forum/p/{post.id}/edit", data={"body": body, "csrf_token": csrf_token(client)})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert Post.get_by_id(post.id).body == "Step by step, please."


def test_cancel_puts_the_post_back(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general))
    login(user)
    html = client.get(f"/forum/p/{post.id}", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<article id="post-{post.id}"')


def test_may_edit_rule(ctx, make_user, general):
    from tests.factories import make_thread
    user = make_user(level="PRO")
    post = _post_of(make_thread(user, general))
    assert forum.may_edit(user, post, now=post.created_at + datetime.timedelta(minutes=30))
    assert not forum.may_edit(user, post, now=post.created_at + datetime.timedelta(minutes=30, seconds=1))
