"""Staff answer, accept, hide, lock and move; everyone else gets 404 on moderation routes."""
import pytest

from portal.models import AuditLog, Category, Post, Thread
from portal.services.search import search_threads
from tests.forum.helpers import make_category, token


@pytest.fixture
def setup(app, make_user, make_thread, general):
    staff, user = make_user(role="staff"), make_user(level="PRO")
    thread = make_thread(user, general, "Relay server drops connections", "after an hour")
    return staff, user, thread, Post.get(Post.thread == thread.id)


def test_staff_marks_and_unmarks_the_accepted_answer(client, login, setup):
    staff, user, thread, _ = setup
    login(staff)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Raise the keep-alive.", "csrf_token": token(client)})
    answer = Post.get(Post.body == "Raise the keep-alive.")
    response = client.post(f"/forum/p/{answer.id}/accept", data={"csrf_token": token(client)})
    assert response.status_code == 302 and Thread.get_by_id(thread.id).accepted_post == answer.id
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "Accepted answer" in page and "Unmark accepted answer" in page
    client.post(f"/forum/p/{answer.id}/accept", data={"csrf_token": token(client)})
    assert Thread.get_by_id(thread.id).accepted_post is None
    assert AuditLog.select().where(AuditLog.action == "forum_accept").count() == 2


def test_staff_hide_post_and_thread(client, login, app, setup):
    staff, user, thread, post = setup
    staff_client = login(staff, app.test_client())
    staff_client.post(f"/forum/p/{post.id}/hide", data={"hidden": "1", "csrf_token": token(staff_client)})
    assert Post.get_by_id(post.id).hidden
    assert "after an hour" not in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "Hidden from readers" in staff_client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    staff_client.post(f"/forum/t/{thread.id}/hide", data={"hidden": "1", "csrf_token": token(staff_client)})
    assert client.get(f"/forum/t/{thread.id}").status_code == 404
    with app.app_context():
        assert search_threads("relay") == []


def test_staff_lock_and_move(client, login, app, setup):
    staff, user, thread, _ = setup
    with app.app_context():
        make_category("server", "Server")
    login(staff)
    client.post(f"/forum/t/{thread.id}/lock", data={"locked": "1", "csrf_token": token(client)})
    assert Thread.get_by_id(thread.id).locked
    client.post(f"/forum/t/{thread.id}/move", data={"category": "server", "csrf_token": token(client)})
    assert Thread.get_by_id(thread.id).category_id == Category.get(Category.slug == "server").id
    bad = client.post(f"/forum/t/{thread.id}/move", data={"category": "nowhere", "csrf_token": token(client)})
    assert bad.status_code == 422 and "Choose a category" in bad.get_data(as_text=True)
    client.post(f"/forum/t/{thread.id}/lock", data={"locked": "0", "csrf_token": token(client)})
    assert not Thread.get_by_id(thread.id).locked


@pytest.mark.parametrize("who", ["customer", "anonymous"])
def test_moderation_is_404_for_everyone_else(client, login, make_user, setup, who):
    staff, user, thread, post = setup
    if who == "customer":
        login(user)
    csrf = token(client, f"/forum/t/{thread.id}") if who == "customer" else None
    for url, form in ((f"/forum/t/{thread.id}/lock", {"locked": "1"}), (f"/forum/t/{thread.id}/hide", {"hidden": "1"}),
                      (f"/forum/t/{thread.id}/move", {"category": "general"}), (f"/forum/p/{post.id}/hide", {"hidden": "1"}),
                      (f"/forum/p/{post.id}/accept", {})):
        response = client.post(url, data=form | ({"csrf_token": csrf} if csrf else {}))
        assert response.status_code in ((404,) if who == "customer" else (302, 400)), url
    thread = Thread.get_by_id(thread.id)
    assert not thread.locked and not thread.hidden and thread.accepted_post is None
    assert not Post.get_by_id(post.id).hidden
