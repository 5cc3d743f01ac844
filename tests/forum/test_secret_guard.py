"""policy 8.6 secret guard, end to end: refused, explained, linked to tickets (8.5), nothing stored or logged."""
import logging

import pytest

from portal.models import AuditLog, Post, Thread
from portal.services.search import indexed_rows, search_threads
from tests.factories import csrf_token
from tests.forum.helpers import HX, SECRET, typed_in

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
    response = client.post("/forum/new", data=form | {"csrf_token": csrf_token(client)})
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
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": SECRET, "csrf_token": csrf_token(client)})
    _assert_refused(response, SECRET)
    assert _counts() == before and PASSWORD_VALUE not in caplog.text
    assert Thread.get_by_id(thread.id).post_count == 1
    fragment = client.post(f"/forum/t/{thread.id}/reply", data={"body": SECRET, "csrf_token": csrf_token(client)}, headers=HX)
    assert fragment.status_code == 200 and "data-secret-refused" in fragment.get_data(as_text=True)
    assert _counts() == before


def test_edit_with_a_secret_is_refused_and_the_old_text_stays(client, login, make_user, make_thread, general):
    user = make_user(level="PRO")
    thread = make_thread(user, general, "Cannot connect to my host", "It times out.")
    post = Post.get(Post.thread == thread.id)
    login(user)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": SECRET, "csrf_token": csrf_token(client)})
    _assert_refused(response, SECRET)
    post = Post.get_by_id(post.id)
    assert post.body == "It times out." and post.edited_at is None
    assert search_threads("Xy7") == [] and search_threads("789") == []


def test_nothing_of_a_refused_post_reaches_the_audit_log(client, login, make_user, general):
    login(make_user(level="PRO"))
    client.post("/forum/new", data={"category": "general", "title": "Connection help", "body": SECRET,
                                    "csrf_token": csrf_token(client)})
    assert not [row for row in AuditLog.select() if PASSWORD_VALUE in row.detail]


def test_typing_hint_warns_before_posting(client, login, make_user):
    login(make_user(level="PRO"))
    hint = client.post("/forum/check", data={"body": SECRET, "csrf_token": csrf_token(client)},
                       headers=typed_in("body"))
    html = hint.get_data(as_text=True)
    assert "data-secret-warning" in html and PASSWORD_VALUE not in html


# policy 8.6: the guard judges what readers get, not the raw Markdown
OBFUSCATED = {
    "entity in the word": "The Host pass&#119;ord is Xy7!kq9Lm, the Viewer refuses it.",
    "entity in the ID": "Connect to ID 482&#32;915&#32;337 with password Xy7!kq9Lm please",
    "Cyrillic a": "The Host p\u0430ssword is Xy7!kq9Lm, the Viewer refuses it.",
    "fullwidth": "The Host \uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44 is Xy7!kq9Lm, the Viewer refuses it.",
    "zero-width": "The Host pass\u200bword is Xy7!k\u200dq9Lm, the Viewer refuses it.",
    "link text": "My login: [admin / Xy7!kq9Lm](https://example.com) does not work",
    "table": "| user | password |\n|---|---|\n| admin | Xy7!kq9Lm |\n\nThe Viewer refuses it.",
    "bold": "The Host **password:** Xy7!kq9Lm and the Viewer refuses it.",
    "next paragraph": "The Host password is\n\nXy7!kq9Lm\n\nand the Viewer refuses it.",
}


@pytest.mark.parametrize("body", OBFUSCATED.values(), ids=OBFUSCATED.keys())
def test_obfuscated_secrets_are_refused_in_bodies_replies_edits_and_hints(
        client, login, make_user, make_thread, general, body):
    user = make_user(level="PRO")
    thread = make_thread(user, general, "Cannot connect to my host", "It times out.")
    post = Post.get(Post.thread == thread.id)
    login(user)
    before = _counts()
    new = client.post("/forum/new", data={"category": "general", "title": "Cannot connect", "body": body,
                                          "csrf_token": csrf_token(client)})
    reply = client.post(f"/forum/t/{thread.id}/reply", data={"body": body, "csrf_token": csrf_token(client)})
    edit = client.post(f"/forum/p/{post.id}/edit", data={"body": body, "csrf_token": csrf_token(client)})
    assert [r.status_code for r in (new, reply, edit)] == [422, 422, 422]
    assert _counts() == before and Post.get_by_id(post.id).body == "It times out."
    assert search_threads("Xy7") == []
    hint = client.post("/forum/check", data={"body": body, "csrf_token": csrf_token(client)},
                       headers=typed_in("body"))
    assert "data-secret-warning" in hint.get_data(as_text=True)


def test_obfuscated_title_is_refused(client, login, make_user, general):
    login(make_user(level="PRO"))
    response = client.post("/forum/new", data={"category": "general", "body": "Please help me connect.",
                                               "title": "Host p\u0430ss\u200bword: Xy7!kq9Lm",
                                               "csrf_token": csrf_token(client)})
    assert response.status_code == 422 and _counts() == (0, 0, 0)


@pytest.mark.parametrize("body", [
    "Even with **Remember password** ticked the Viewer asks again.",
    "Type it in the **Password** box, then press *Connect*.",
    "| Setting | Value |\n|---|---|\n| Require password | On |\n| Port | 5650 |",
    "The `password` option in the Host settings is greyed out &amp; I cannot change it.",
])
def test_emphasis_and_tables_around_ordinary_words_are_not_refused(client, login, make_user, general, body):
    login(make_user(level="PRO"))
    response = client.post("/forum/new", data={"category": "general", "title": "Password prompt question",
                                               "body": body, "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and Thread.select().count() == 1


def test_corpora_as_the_guard_reads_them():
    """Precision and recall of the guard (rendered, as readers see posts) on every corpus;
    the obfuscation corpus was written without sight of the detector (docs/policy.md)."""
    from tests.policy.measure_secrets import CORPUS, HELDOUT, OBFUSCATED, load_corpus, measure
    floors = {CORPUS: (0.95, 0.95), HELDOUT: (0.97, 0.95), OBFUSCATED: (0.97, 0.90)}
    for path, (precision, recall) in floors.items():
        m = measure(load_corpus(path))
        assert m["positives"] >= 100 and m["negatives"] >= 100, path.name
        assert (m["precision"], m["recall"]) >= (precision, recall), (path.name, m["precision"], m["recall"])
        assert m["precision"] >= precision and m["recall"] >= recall, path.name
