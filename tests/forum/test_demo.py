"""The demo forum seeds categories, answered and waiting threads, and is idempotent."""
from portal.models import Category, Post, Thread


def test_demo_forum_is_idempotent_with_queue_fields(app):
    from portal.demo import accounts, forum as demo_forum
    with app.app_context():
        accounts.seed("demo-password-1")
        first = demo_forum.seed("demo-password-1")
        assert first and demo_forum.seed("demo-password-1") == []
        assert Category.select().count() == 4
        waiting = list(Thread.select().where(Thread.awaiting_staff == True))  # noqa: E712
        answered = list(Thread.select().where(Thread.first_response_at.is_null(False)))
        assert waiting and answered
        assert all(t.due_at is not None and t.rank_band >= 10 for t in waiting)  # policy 4.6: forum bands
        assert Thread.select().where(Thread.accepted_post.is_null(False)).count() >= 1
        assert Post.select().where(Post.is_staff_answer == True).count() >= 2  # noqa: E712
        from portal.services.search import search_threads
        assert search_threads("msi")
