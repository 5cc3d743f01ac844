"""Reading the forum: public to anyone (policy 4.1, 4.4), latest first, categories, paging, 404s."""
from portal.models import Thread
from portal.services import forum
from tests.factories import make_category


def test_anonymous_reads_latest_categories_and_threads(client, make_user, make_thread, general):
    author = make_user(level="PRO")
    old = make_thread(author, general, "An older question here", "old body")
    new = make_thread(author, general, "A newer question here", "**bold** body")
    page = client.get("/forum").get_data(as_text=True)
    assert page.index("A newer question here") < page.index("An older question here")  # latest first
    assert "General" in page and 'href="/forum/c/general"' in page
    assert "Log in</a> or" in page  # anonymous are invited to register to post (policy 4.4)
    html = client.get(f"/forum/t/{new.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in html and "register (free)</a> to reply" in html
    assert client.get("/forum/c/general").status_code == 200
    assert client.get(f"/forum/t/{old.id}").status_code == 200


def test_latest_spans_categories_and_reply_bumps(client, app, make_user, make_thread, general, in_app):
    author = make_user(level="PRO")
    other = in_app(make_category, "config", "Configuration")
    first = make_thread(author, other, "Thread in configuration", "body")
    make_thread(author, general, "Thread in general area", "body")
    in_app(forum.reply, author, first, "a bump")
    page = client.get("/forum/").get_data(as_text=True)
    assert page.index("Thread in configuration") < page.index("Thread in general area")


def test_paging_of_threads_and_posts(client, app, make_user, make_thread, general, in_app):
    author = make_user(level="PRO")
    for n in range(forum.PAGE_SIZE + 1):
        make_thread(author, general, f"Question number {n:02d}", "body")
    first = client.get("/forum").get_data(as_text=True)
    assert "Question number 20" in first and "Question number 00" not in first and "page=2" in first
    assert "Question number 00" in client.get("/forum?page=2").get_data(as_text=True)
    thread = Thread.get(Thread.title == "Question number 00")
    for n in range(forum.PAGE_SIZE):
        in_app(forum.reply, author, thread, f"reply text {n:02d}")
    assert "reply text 19" in client.get(f"/forum/t/{thread.id}?page=2").get_data(as_text=True)


def test_hidden_and_private_are_404_to_readers_but_not_staff(client, login, app, make_user, make_thread,
                                                             general, private, in_app):
    staff, author = make_user(role="staff"), make_user(level="PRO")
    hidden = make_thread(author, general, "A thread to be hidden", "body")
    in_app(forum.set_thread_hidden, staff, hidden, True)
    internal = make_thread(staff, private, "Internal staff thread", "body")
    for url in (f"/forum/t/{hidden.id}", f"/forum/t/{internal.id}", "/forum/c/staff-notes", "/forum/t/99999",
                "/forum/c/nope"):
        assert client.get(url).status_code == 404, url
    assert "A thread to be hidden" not in client.get("/forum").get_data(as_text=True)
    login(author)
    assert client.get(f"/forum/t/{hidden.id}").status_code == 404
    staff_client = login(staff, app.test_client())
    assert staff_client.get(f"/forum/t/{hidden.id}").status_code == 200
    assert staff_client.get("/forum/c/staff-notes").status_code == 200


def test_nav_link_for_customers_and_anonymous(client, login, make_user):
    assert 'href="/forum' in client.get("/policy").get_data(as_text=True)
    login(make_user(level="PLUS"))
    assert 'href="/forum' in client.get("/policy").get_data(as_text=True)


def test_search_page_and_fragment(client, make_user, make_thread, general):
    make_thread(make_user(level="PRO"), general, "Relay server drops connections", "after an hour")
    page = client.get("/forum/search?q=relay")
    assert page.status_code == 200 and "Relay server drops connections" in page.get_data(as_text=True)
    assert page.headers["Vary"] == "HX-Request" or "HX-Request" in page.headers["Vary"]
    fragment = client.get("/forum/search?q=relay", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results"') and "<html" not in fragment
    none = client.get('/forum/search?q="NEAR(').get_data(as_text=True)
    assert "No threads match" in none
