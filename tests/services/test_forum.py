"""Forum use cases: start a thread, reply, edit, moderate."""
import pytest

from portal.models import AuditLog, Post, Thread
from portal.services import forum
from portal.services.errors import FieldError, ServiceError
from tests import factories


def test_start_and_reply(customer, agent):
    thread = factories.make_thread(customer, title="Host stops after a reboot", body="Every time.")
    forum.reply(agent, thread, "Run the Host as a service.")
    stored = Thread.get_by_id(thread.id)
    assert stored.post_count == 2 and [p.body for p in stored.posts.order_by(Post.id)][1] == "Run the Host as a service."


def test_an_empty_reply_is_refused(customer):
    thread = factories.make_thread(customer)
    with pytest.raises(FieldError) as refused:
        forum.reply(customer, thread, "   ")
    assert refused.value.field == "body" and refused.value.status == 422 and Post.select().count() == 1


def test_only_the_author_edits(customer):
    post = Post.get(Post.thread == factories.make_thread(customer))
    forum.edit_post(customer, post, "Edited text.")
    assert Post.get_by_id(post.id).body == "Edited text."
    with pytest.raises(FieldError) as refused:
        forum.edit_post(factories.make_user(level="PRO"), Post.get_by_id(post.id), "Vandalised.")
    assert refused.value.status == 403
    assert Post.get_by_id(post.id).body == "Edited text."


def test_staff_hide_a_post_and_customers_may_not(customer, agent):
    thread = factories.make_thread(customer)
    post = Post.get(Post.thread == thread)
    with pytest.raises(ServiceError) as refused:
        forum.set_post_hidden(customer, post, True)
    assert refused.value.status == 403
    assert not Post.get_by_id(post.id).hidden
    forum.set_post_hidden(agent, post, True)
    assert Post.get_by_id(post.id).hidden and Thread.get_by_id(thread.id).post_count == 0
    assert AuditLog.get(AuditLog.action == "forum_hide_post").object_id == str(post.id)
