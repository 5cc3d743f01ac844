"""Who reaches the console, canned replies (policy 6.1-6.4, 4.2), converting forum threads (4.6)."""
import re

import pytest

from portal.models import AuditLog, CannedReply, Post, Thread, Ticket, User
from portal.services import canned, get_policy
from tests.factories import csrf_token


def _staff_urls(app):
    """Every /staff/ URL of the app (part A and part B), with small ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


@pytest.mark.parametrize("who", ["anonymous", "customer", "reseller"])
def test_every_staff_url_is_404_for_everyone_but_staff(app, client, make_user, login, who):
    urls = _staff_urls(app)
    assert ("GET", "/staff/queue") in urls and ("POST", "/staff/tickets/1/claim") in urls
    if who == "customer":
        login(make_user(level="PRO"))
    elif who == "reseller":
        login(make_user(role="reseller"))
    token = csrf_token(client, "/account/" if who != "anonymous" else "/login")
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (who, method, url, response.status_code)


def test_staff_and_admins_reach_the_queue(app, make_user, login):
    for role in ("staff", "admin"):
        c = login(make_user(role=role), app.test_client())
        assert c.get("/staff/queue").status_code == 200
        assert c.get("/staff/").status_code == 302


def test_canned_replies_are_seeded_from_the_policy(app, ctx):
    policy = get_policy()
    assert canned.ensure_seeded() == 5 and canned.ensure_seeded() == 0  # once
    by_key = {c.key: c for c in CannedReply.select()}
    for scope in policy.scope.out_of_scope:  # policy 6.1-6.4
        assert by_key[f"scope-{scope.code}"].body == scope.reply
    assert by_key["english-only"].body == policy.english_only_reply  # policy 4.2
    assert set(policy.scope.codes()) == {"6.1", "6.2", "6.3", "6.4"}


def test_picking_a_canned_reply_prefills_the_reply(app, client, make_user, login, make_ticket):
    ticket = make_ticket(make_user(level="PRO"))
    login(make_user(role="staff"))
    with app.app_context():
        reply = get_policy().scope.get("6.2").reply
    page = client.get(f"/staff/tickets/{ticket.id}", query_string={"canned": "scope-6.2"})
    assert reply.split("(policy")[0].strip() in page.get_data(as_text=True)  # no JavaScript: a GET form
    fragment = client.get(f"/staff/tickets/{ticket.id}?canned=english-only", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and 'id="reply-form"' in html and "English only" in html
    assert "<html" not in html and "policy 4.2" in html


def test_only_admins_edit_canned_replies(app, make_user, login):
    staff = login(make_user(role="staff"), app.test_client())
    assert staff.get("/staff/canned").status_code == 200
    item = CannedReply.get(CannedReply.key == "scope-6.1")
    token = csrf_token(staff, "/staff/canned")
    denied = staff.post(f"/staff/canned/{item.id}", data={"title": "X", "body": "Y", "csrf_token": token})
    assert denied.status_code == 404 and CannedReply.get_by_id(item.id).title != "X"
    admin = login(make_user(role="admin"), app.test_client())
    token = csrf_token(admin, "/staff/canned")
    bad = admin.post(f"/staff/canned/{item.id}", data={"title": "", "body": "Body", "csrf_token": token})
    assert bad.status_code == 400 and b"Give the reply a title" in bad.data
    ok = admin.post(f"/staff/canned/{item.id}", data={"title": "6.1 Networks", "body": "Ask your admin.",
                                                      "csrf_token": token})
    assert ok.status_code == 302
    fresh = CannedReply.get_by_id(item.id)
    assert (fresh.title, fresh.body) == ("6.1 Networks", "Ask your admin.")
    assert AuditLog.get(AuditLog.action == "canned edit").actor_id is not None
    assert admin.post("/staff/canned/99999", data={"title": "a", "body": "b", "csrf_token": token}).status_code == 404


def _convert(client, thread):
    token = csrf_token(client, f"/staff/threads/{thread.id}")
    return client.post(f"/staff/threads/{thread.id}/convert", data={"csrf_token": token})


def test_convert_thread_into_a_ticket_for_its_author(app, make_user, login, make_thread):
    author = make_user(level="PLUS")
    thread = make_thread(author, body="The host service stops after a reboot, every time.")
    staff = login(make_user(role="staff"), app.test_client())
    page = staff.get(f"/staff/threads/{thread.id}").get_data(as_text=True)
    assert "Convert into a ticket" in page
    response = _convert(staff, thread)
    assert response.status_code == 302
    ticket = Ticket.get(Ticket.requester == author.id)
    assert response.headers["Location"].endswith(f"/staff/tickets/{ticket.id}")
    assert ticket.subject == thread.title and ticket.level == "PLUS" and ticket.awaiting_staff
    assert "The host service stops after a reboot" in ticket.messages[0].body
    fresh = Thread.get_by_id(thread.id)
    assert not fresh.awaiting_staff and fresh.first_response_at is not None
    link = Post.select().where((Post.thread == thread.id) & Post.is_staff_answer).get()
    assert f"/tickets/{ticket.id}" in link.body
    assert AuditLog.get(AuditLog.action == "convert").object_id == str(thread.id)
    assert User.get_by_id(author.id).policy_accepted_at is None  # staff do not accept policy 1.2 for them
    again = _convert(staff, thread)
    assert again.status_code == 409 and Ticket.select().count() == 1
    customer = login(author, app.test_client())
    assert b"The host service stops" in customer.get(f"/tickets/{ticket.id}").data


def test_convert_refused_when_the_author_may_not_open_tickets(app, make_user, login, make_thread):
    author = make_user(level="PRO", verified=False)  # policy 4.4: a verified account files tickets
    thread = make_thread(author, level="PRO")
    staff = login(make_user(role="staff"), app.test_client())
    assert b"may not open tickets" in staff.get(f"/staff/threads/{thread.id}").data
    response = _convert(staff, thread)
    assert response.status_code == 409 and b"may not open tickets" in response.data
    assert Ticket.select().count() == 0 and Thread.get_by_id(thread.id).awaiting_staff
