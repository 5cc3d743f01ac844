"""policy 8.6 secret guard, end to end: refused, explained, linked to tickets (8.5), nothing stored or logged."""
import logging

import pytest

from portal.models import AuditLog, Post, Thread
from portal.services.search import indexed_rows, search_threads
from tests.forum.helpers import HX, SECRET, token

PASSWORD_VALUE = "Xy7!kq9Lm"


def _counts():
    return Thread.select().count(), Post.select().count(), indexed_rows()


def _assert_refused(response, text_kept):
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "appears to contain" in html  # finding.reason from the policy
    assert 'href="/tickets/new"' in html and "policy 8.5" in html and "data-secret-refused" in html
    assert text_kept in html.replace("&#34;", '"').replace("&#39;", "'")  # the form keeps the text


@pytest.mark.parametrize("where", ["body", "title"])
def test_new_thread_with_a_secret_is_refused_and_not_stored(client, login, make_user, general, caplog, where):
    login(make_user(level="PRO"))
    before = _counts()
    caplog.set_level(logging.DEBUG)
    form = {"category": "general", "title": "Cannot connect to my host", "body": "Please help me connect."}
    form[where] = SECRET if where == "body" else "Host 123 456 789 password: Xy7!kq9Lm"
    response = client.post("/forum/new", data=form | {"csrf_token": token(client)})
    _assert_refused(response, form[where])
    assert _counts() == before == (0, 0, 0)
    assert PASSWORD_VALUE not in caplog.text
    assert search_threads("connect") == []


def test_reply_with_a_secret_is_refused_and_not_stored(client, login, make_user, make_thread, general, caplog):
    user = make_user(level="PRO")
    thread = make_thread(user, general, "Cannot connect to my host", "It times out.")
    login(user)
    before = _counts()
    caplog.set_level(logging.DEBUG)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": SECRET, "csrf_token": token(client)})
    _assert_refused(response, SECRET)
    assert _counts() == before and PASSWORD_VALUE not in caplog.text
    assert Thread.get_by_id(thread.id).post_count == 1
    fragment = client.post(f"/forum/t/{thread.id}/reply", data={"body": SECRET, "csrf_token": token(client)}, headers=HX)
    assert fragment.status_code == 200 and "data-secret-refused" in fragment.get_data(as_text=True)
    assert _counts() == before


def test_edit_with_a_secret_is_refused_and_the_old_text_stays(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    thread = make_thread(user, general, "Cannot connect to my host", "It times out.")
    post = Post.get(Post.thread == thread.id)
    login(user)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": SECRET, "csrf_token": token(client)})
    _assert_refused(response, SECRET)
    post = Post.get_by_id(post.id)
    assert post.body == "It times out." and post.edited_at is None
    assert search_threads("Xy7") == [] and search_threads("789") == []


def test_nothing_of_a_refused_post_reaches_the_audit_log(client, login, make_user, general):
    login(make_user(level="PRO"))
    client.post("/forum/new", data={"category": "general", "title": "Connection help", "body": SECRET,
                                    "csrf_token": token(client)})
    assert not [row for row in AuditLog.select() if PASSWORD_VALUE in row.detail]


def test_typing_hint_warns_before_posting(client, login, make_user):
    login(make_user(level="PRO"))
    hint = client.post("/forum/check", data={"body": SECRET, "csrf_token": token(client)}, headers=HX)
    html = hint.get_data(as_text=True)
    assert "data-secret-warning" in html and PASSWORD_VALUE not in html
