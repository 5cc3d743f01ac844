"""In Debian's Chromium: a customer searches, posts, replies and edits in place; a reseller finds no forum."""
import pytest

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def _seed(app):
    from portal.models import Category, User
    from portal.services import forum
    with app.app_context():
        customer = make_user(level="PRO", email="forum-customer@example.test")
        make_user(role="reseller", email="forum-reseller@example.test")
        staff = make_user(role="staff", email="forum-staff@example.test")
        category = Category.create(slug="server", name="Remote Utilities Server")
        Category.create(slug="installation", name="Installation")
        thread = forum.start_thread(User.get_by_id(staff.id), category, "Relay connections drop after an hour",
                                    "Raise the keep-alive interval on the relay.")
        return customer, thread.id


def test_customer_searches_posts_replies_and_edits(page, live_server):
    customer, _ = _seed(live_server.app)
    log_in(page, live_server, customer.email, PASSWORD)
    page.goto(live_server.url + "/forum")
    page.fill("#f-q", "relay")
    page.click("button:has-text('Search')")
    page.wait_for_selector("a.forum-title:has-text('Relay connections drop after an hour')")
    page.fill("#f-q", "keep-alive interval")  # active search: results change without submitting
    page.wait_for_url("**/forum/search?q=keep-alive*")
    assert page.locator("#results a.forum-title").count() == 1

    page.goto(live_server.url + "/forum/new")
    assert page.locator("[data-tickets-first] a[href='/tickets/new']").count() == 1  # policy 4.6
    page.select_option("#f-category", "installation")
    page.fill("#f-title", "Silent install of the Host")
    page.fill("#f-body", "How do I install the Host **silently** on many machines?")
    page.click("button:has-text('Post thread')")
    page.wait_for_selector("h1:has-text('Silent install of the Host')")
    page.wait_for_selector(".forum-body strong:has-text('silently')")

    page.fill("#f-body", "Found it: msiexec with /qn works.")  # htmx: appended without a reload
    page.evaluate("window.__marker = 1")
    page.click("button:has-text('Post reply')")
    page.wait_for_selector("#posts article:has-text('Found it: msiexec')")
    assert page.evaluate("window.__marker") == 1
    assert page.locator("#posts article").count() == 2

    reply = page.locator("#posts article").nth(1)
    reply.locator("a:has-text('Edit')").click()  # the post becomes its edit form in place
    editor = page.locator("form.editing textarea")
    editor.fill("Found it: msiexec with /qn and the configurator works.")
    page.click("form.editing button:has-text('Save')")
    page.wait_for_selector("#posts article:has-text('and the configurator works')")
    assert page.evaluate("window.__marker") == 1
    page.reload()
    page.wait_for_selector("#posts article:has-text('and the configurator works')")

    page.fill("#f-body", "My ID is 123 456 789 and the password: Xy7!kq9Lm")  # policy 8.6
    page.click("button:has-text('Post reply')")
    page.wait_for_selector("[data-secret-refused] a[href='/tickets/new']")
    assert "Xy7!kq9Lm" in page.input_value("#f-body")
    assert page.locator("#posts article").count() == 2
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors


def test_reseller_cannot_reach_any_forum_page(page, live_server):
    _, thread_id = _seed(live_server.app)
    log_in(page, live_server, "forum-reseller@example.test", PASSWORD)
    page.goto(live_server.url + "/")
    assert page.locator("nav a[href^='/forum']").count() == 0  # policy 3.2: no link
    for path in ("/forum", "/forum/", f"/forum/t/{thread_id}", "/forum/c/server", "/forum/search?q=relay",
                 "/forum/new"):
        response = page.goto(live_server.url + path)
        assert response.status == 404, path
        assert page.locator("h1").inner_text() == "Not found"
