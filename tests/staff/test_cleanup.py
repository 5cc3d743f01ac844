"""One guard, one audit path, url_for for other areas' pages, one length check (review of issue 6)."""
import pathlib

from portal.models import Message, Post, Ticket
from portal.services import assign, audit
from tests.factories import csrf_token

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "templates" / "staff"


def test_one_app_wide_guard_covers_every_staff_url(app, client):
    guards = {key: [f.__name__ for f in funcs] for key, funcs in app.before_request_funcs.items()}
    assert "staff_only" in guards.get(None, [])  # app-wide, limited to /staff paths
    assert not guards.get("staff") and not guards.get("staff_ops")  # no second copy per blueprint
    for url in ("/staff", "/staff/", "/staff/nothing-here", "/staff/bugs/1/unknown"):
        assert client.get(url).status_code == 404, url


def test_staff_actions_are_audited_through_the_audit_service():
    assert assign.audit is audit  # no ImportError fallback that could silently skip the log


def test_overlong_reply_is_refused_by_add_reply_and_writes_nothing(app, client, make_user, login,
                                                                   make_ticket):  # one check, the service's
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    page = f"/staff/tickets/{ticket.id}"
    before = Message.select().count()
    for field, url in (("body", f"{page}/reply"), ("note", f"{page}/note")):
        response = client.post(url, data={field: "x" * 20001, "csrf_token": csrf_token(client, page)})
        assert response.status_code == 400 and "limited to 20,000 characters" in response.get_data(as_text=True)
    assert Message.select().count() == before


def test_converted_thread_links_the_customer_ticket_page(app, make_user, login, make_thread):
    thread = make_thread(make_user(level="PLUS"))
    staff = login(make_user(role="staff"), app.test_client())
    assert f'href="/forum/t/{thread.id}"' in staff.get(f"/staff/threads/{thread.id}").get_data(as_text=True)
    token = csrf_token(staff, f"/staff/threads/{thread.id}")
    assert staff.post(f"/staff/threads/{thread.id}/convert", data={"csrf_token": token}).status_code == 302
    ticket = Ticket.get()
    post = Post.select().where((Post.thread == thread.id) & Post.is_staff_answer).get()
    assert f"{app.config['BASE_URL']}/tickets/{ticket.id}\n" in post.body


def test_staff_templates_link_plainly():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        assert "nav_endpoints" not in text and "ignore missing" not in text, path.name
