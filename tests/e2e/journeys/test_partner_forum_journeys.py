"""Reseller and forum journeys in Debian's Chromium, each page checked by axe-core (issue 7 part 1)."""
import re

import pytest

from portal.models import Post, Thread, Ticket
from tests import factories
from tests.e2e.a11y import check_a11y
from tests.e2e.journeys.conftest import arrive, no_csp_errors, sign_in, visit

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # each journey starts a live server
SUBJECT = "Relay connections drop for a client"


def _forum(app, title=SUBJECT):
    """A public category with one visible thread (so forum suggestions would have something to show)."""
    from portal.models import Category, User
    from portal.services import forum
    with app.app_context():
        staff = factories.make_user(role="staff")
        category = Category.create(slug="server", name="Remote Utilities Server")
        forum.start_thread(User.get_by_id(staff.id), category, title, "Raise the keep-alive on the relay.")
        return category


def test_reseller_partner_area_files_and_follows_a_ticket_without_forum(page, live_server):
    """policy 3.2: resellers work through tickets in the Partner Area; the forum does not exist for them."""
    _forum(live_server.app)
    from portal.services.search import search_threads
    with live_server.app.app_context():
        assert [t.title for t in search_threads(SUBJECT)] == [SUBJECT]  # a customer would be shown it
        reseller = factories.make_user(role="reseller", display_name="Partner Pete")
    sign_in(page, live_server, reseller.email, landing="**/partner/")
    assert page.locator("main h1").inner_text() == "Partner Area"
    assert page.locator("a[href*='/forum']").count() == 0

    page.click("main a:has-text('File a new ticket')")
    arrive(page, "**/tickets/new")
    page.select_option("#f-product", "Remote Utilities Server")
    with page.expect_response(lambda r: "/tickets/new/similar" in r.url) as similar:
        page.fill("#f-subject", SUBJECT)  # a forum thread has this very title: never suggested to a reseller
    assert similar.value.ok
    page.fill("#f-body", "One of our clients sees relay connections drop every hour since Monday.")
    page.check("#f-accept_policy")
    assert page.locator("#similar a").count() == 0
    page.click("main button:has-text('File ticket')")
    arrive(page, "**/tickets/*")
    assert page.locator("main [data-level='RESELLER']").count() == 1
    assert page.locator("a[href*='/forum']").count() == 0
    with live_server.app.app_context():
        ticket = Ticket.get()
        assert (ticket.requester_id, ticket.level) == (reseller.id, "RESELLER")

    page.click("main a:has-text('All tickets')")
    arrive(page, "**/partner/")
    row = page.locator(f"#ticket-list tr[data-ticket='{ticket.id}']")
    assert SUBJECT in row.inner_text()
    clock = row.locator("td[class^='state-']")
    assert clock.get_attribute("class") in ("state-ok", "state-at_risk", "state-breached")
    assert "of business time" in clock.inner_text()
    assert page.locator("a[href*='/forum']").count() == 0
    for path in ("/forum", "/forum/", "/forum/c/server", "/forum/new"):
        visit(page, live_server, path, status=404)  # policy 3.2 Decision
        assert page.locator("main h1").inner_text() == "Not found"
        assert page.locator("a[href*='/forum']").count() == 0
    no_csp_errors(page)


def test_forum_post_with_a_password_is_refused_and_nothing_is_stored(page, live_server):
    """policy 8.6: a post that carries a password is refused, explained, kept in the form, never stored."""
    _forum(live_server.app, title="Relay keep-alive settings")
    with live_server.app.app_context():
        customer = factories.make_user(level="PRO")
        before = (Thread.select().count(), Post.select().count())
    sign_in(page, live_server, customer.email, landing="**/tickets/")
    page.click("nav a:has-text('Community forum')")
    arrive(page, re.compile(r"/forum/?$"))
    page.click("main a:has-text('New thread')")
    arrive(page, "**/forum/new")
    secret = "Hi, the Host on our server refuses me. my password is Hunter2!x and the ID is 123 456 789."
    page.select_option("#f-category", "server")
    page.fill("#f-title", "Host refuses my connection")
    page.fill("#f-body", secret)
    page.wait_for_selector("[data-secret-warning]")  # warned while typing, before posting
    check_a11y(page)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/forum/new")) as posted:
        page.click("main button:has-text('Post thread')")
    assert posted.value.status == 422
    refusal = page.locator("[data-secret-refused]")
    refusal.wait_for()
    check_a11y(page)
    assert "appears to contain a password" in refusal.inner_text()
    assert refusal.locator("a[href='/tickets/new']").count() == 1
    assert page.input_value("#f-body") == secret
    assert page.input_value("#f-title") == "Host refuses my connection"
    with live_server.app.app_context():
        assert (Thread.select().count(), Post.select().count()) == before
        assert Post.select().where(Post.body.contains("Hunter2")).count() == 0
    from portal.services.search import search_threads
    with live_server.app.app_context():
        assert search_threads("Host refuses my connection") == []

    refusal.locator("a[href='/tickets/new']").click()  # the way out the refusal points to
    arrive(page, "**/tickets/new")
    no_csp_errors(page)
