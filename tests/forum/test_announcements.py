"""Announcements: only staff start threads there; members may reply (issue 10)."""
from portal.models import Category, Post, Thread
from tests.factories import csrf_token, make_thread


def _announcements(app):
    with app.app_context():
        return Category.create(slug="announcements", name="Announcements", position=4,
                               staff_threads_only=True)


def _options(client):
    html = client.get("/forum/new").get_data(as_text=True)
    return html.split('name="category"', 1)[1].split("</select>", 1)[0]


def test_customers_cannot_start_threads_in_announcements(app, client, login, make_user, general):
    _announcements(app)
    login(make_user(level="PRO"))
    assert 'value="announcements"' not in _options(client) and 'value="general"' in _options(client)
    assert b"New thread" not in client.get("/forum/c/announcements").data
    response = client.post("/forum/new", data={"category": "announcements", "title": "Is 8.2 coming soon?",
                                               "body": "Just asking.", "csrf_token": csrf_token(client)})
    assert response.status_code == 422 and b"Choose a category" in response.data
    assert Thread.select().count() == 0


def test_staff_announce_and_customers_reply(app, client, login, make_user):
    category = _announcements(app)
    staff, customer = make_user(role="staff"), make_user(level="PRO")
    staff_client = login(staff, app.test_client())
    assert 'value="announcements"' in _options(staff_client)
    with app.app_context():
        thread = make_thread(staff, category, title="Remote Utilities 8.2 is out", body="Update, please.")
    login(customer)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Thanks!", "csrf_token": csrf_token(client)})
    assert response.status_code in (200, 302)
    assert Post.select().where(Post.thread == thread.id).count() == 2
