"""Stored XSS: ticket subjects and bodies, forum titles and posts, display names, file names, bug
titles, canned replies, tool names, shown to customers and staff in pages, htmx fragments and
mails; javascript: URLs in forum Markdown. Each payload must be shown only as text."""
import email
import email.policy
import re

import pytest

from portal.models import Attachment, CannedReply, Thread, Ticket, User
from tests.security.attack_helpers import (HX, assert_inert, assert_shown_as_text, client_for, live_markup,  # noqa: F401
                                           make_user, post, text, world)

SUBJECT = '<script>alert("xss1")</script> "><img src=x onerror=alert(2)> \' onmouseover=\'alert(3)'
BODY = SUBJECT + '\n<svg onload=alert(4)><iframe src="javascript:alert(5)"></iframe>'
NAME = '<script>alert(6)</script>"><img src=x onerror=alert(7)>'
MARKERS = ("alert",)


def _file(client, subject=SUBJECT, body=BODY, files=None):
    html = text(client.get("/tickets/new"))
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    data = {"product": "Remote Utilities", "version": "8.1.0.3", "subject": subject, "body": body,
            "accept_policy": "1", "submit_token": token}
    if files:
        data["files"] = files
    response = post(client, "/tickets/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:2000]
    return int(response.location.rsplit("/", 1)[1])


@pytest.fixture
def evil(app, world):
    """A PRO customer whose display name is a payload."""
    return make_user(app, level="PRO", display_name=NAME)


def test_ticket_subject_body_name_and_file_name_are_inert_everywhere(app, world, evil, client_for):
    import io
    customer, staff = client_for(evil), client_for(world.users["staff"])
    file_name = "'><img src=x onerror=alert(8)>.txt"  # (the test client cannot send a double quote here)
    ticket_id = _file(customer, files=[(io.BytesIO(b"plain log line\n"), file_name)])
    with app.app_context():
        stored = Ticket.get_by_id(ticket_id)
        assert stored.subject == SUBJECT  # kept as typed: escaping is the template's job
        assert "<" not in Attachment.get(Attachment.ticket == ticket_id).filename
    reply = post(customer, f"/tickets/{ticket_id}/reply", {"body": BODY}, htmx=True)
    assert reply.status_code == 200
    assert_shown_as_text(text(reply), SUBJECT, MARKERS)
    pages = {
        "customer list": customer.get("/tickets/"),
        "customer list fragment": customer.get("/tickets/", headers=HX),
        "customer ticket": customer.get(f"/tickets/{ticket_id}"),
        "staff queue": staff.get("/staff/queue"),
        "staff queue rows": staff.get("/staff/queue", headers=HX),
        "staff ticket": staff.get(f"/staff/tickets/{ticket_id}"),
        "staff customer view": staff.get(f"/tickets/{ticket_id}", follow_redirects=True),  # the staff page
        "staff panels": staff.get(f"/staff/tickets/{ticket_id}/ops", headers=HX),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        html = text(response)
        assert_inert(html, MARKERS)
        if where != "staff panels":
            assert SUBJECT in _text(html), where
    for where in ("staff ticket", "staff customer view", "staff queue"):
        assert NAME in _text(text(pages[where])) or evil.email.split("@")[0] in text(pages[where]), where
    assert NAME in _text(text(pages["staff ticket"]))


def _text(html):
    from tests.security.attack_helpers import visible_text
    return visible_text(html)


def test_staff_reply_mail_is_plain_text_and_subject_cannot_inject_headers(app, world, client_for):
    customer, staff = client_for(world.users["customer"]), client_for(world.users["staff"])
    subject = "Help\r\nBcc: victim@evil.example\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>"
    ticket_id = _file(customer, subject=subject)
    sent = []
    outbox = app.extensions["outbox"]
    len(outbox.sent)  # deliver what the world queued, so `sent` holds this reply alone
    original = outbox.deliver
    outbox.deliver = lambda msg: (sent.append(bytes(msg)), original(msg))
    try:
        response = post(staff, f"/staff/tickets/{ticket_id}/reply", {"body": BODY + "\r\nBcc: x@evil.example"})
    finally:
        outbox.deliver = original
    assert response.status_code == 302 and len(sent) == 1
    msg = email.message_from_bytes(sent[0], policy=email.policy.default)
    # issue 14: Date, Message-ID, the ticket's thread, its signed Reply-To and the one-click
    # unsubscribe (RFC 8058); nothing from the subject
    assert sorted(k.lower() for k in msg.keys()) == sorted(
        ["from", "to", "subject", "date", "message-id", "in-reply-to", "references", "reply-to",
         "list-unsubscribe", "list-unsubscribe-post", "content-type", "mime-version"])
    assert msg["To"] == world.users["customer"].email and msg.get_content_type() == "multipart/alternative"
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert "victim@evil.example" not in msg["To"] and msg.get_all("Bcc") is None
    assert BODY.splitlines()[0] in msg.get_body(("plain",)).get_content()  # shown as text in the text part
    html = msg.get_body(("html",)).get_content()  # the HTML part escapes every character of the reply
    assert "<script" not in html.replace("&lt;script", "")


@pytest.mark.parametrize("separator", ["\u2028", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_unicode_line_breaks_in_a_subject_cannot_inject_headers(app, world, client_for, separator):
    customer, staff = client_for(world.users["customer"]), client_for(world.users["staff"])
    ticket_id = _file(customer, subject=f"Help{separator}Bcc: victim@evil.example")
    sent = []
    outbox = app.extensions["outbox"]
    len(outbox.sent)  # deliver what the world queued, so `sent` holds this reply alone
    original = outbox.deliver
    outbox.deliver = lambda msg: (sent.append(bytes(msg)), original(msg))
    try:
        post(staff, f"/staff/tickets/{ticket_id}/reply", {"body": "Thanks, we are looking."})
    finally:
        outbox.deliver = original
    msg = email.message_from_bytes(sent[0], policy=email.policy.default)
    assert msg.get_all("Bcc") is None
    assert not any(line.lower().startswith(b"bcc:") for line in sent[0].split(b"\n"))


def test_bug_title_and_workaround_are_inert_for_staff_and_customer(app, world, client_for):
    customer, staff = client_for(world.users["customer"]), client_for(world.users["staff"])
    ticket_id = world.ids["ticket_id"]
    response = post(staff, f"/staff/tickets/{ticket_id}/bug",
                    {"bug_id": "new", "title": SUBJECT, "workaround": BODY})
    assert response.status_code in (200, 302)
    for where, page in {"customer ticket": customer.get(f"/tickets/{ticket_id}"),
                        "staff bugs": staff.get("/staff/bugs"), "staff bugs rows": staff.get("/staff/bugs", headers=HX),
                        "staff ticket": staff.get(f"/staff/tickets/{ticket_id}")}.items():
        assert page.status_code == 200, where
        assert_shown_as_text(text(page), SUBJECT, MARKERS)


def test_canned_reply_title_and_body_are_inert(app, world, client_for):
    admin, staff = client_for(world.users["admin"]), client_for(world.users["staff"])
    reply_id = world.ids["reply_id"]
    response = post(admin, f"/staff/canned/{reply_id}", {"title": SUBJECT[:100], "body": BODY})
    assert response.status_code == 302
    with app.app_context():
        key = CannedReply.get_by_id(reply_id).key
    for where, page in {"canned list": staff.get("/staff/canned"),
                        "ticket with canned": staff.get(f"/staff/tickets/{world.ids['ticket_id']}?canned={key}"),
                        "reply form fragment": staff.get(f"/staff/tickets/{world.ids['ticket_id']}?canned={key}",
                                                         headers=HX)}.items():
        assert page.status_code == 200, where
        assert_inert(text(page), MARKERS)
        assert "alert(4)" in _text(text(page)), where  # the body is there, as text


def test_other_tool_name_is_inert_on_the_ticket_and_in_the_calendar(app, world, client_for):
    import datetime
    from portal.models import RemoteSession
    customer, staff = client_for(world.users["customer"]), client_for(world.users["staff"])
    ticket_id = world.ids["ticket_id"]
    with app.app_context():
        RemoteSession.update(status="cancelled").where(RemoteSession.ticket == ticket_id).execute()
    day = datetime.date.today() + datetime.timedelta(days=7)
    while day.weekday() != 2:
        day += datetime.timedelta(days=1)
    tool = '<script>alert(9)</script>\r\nATTENDEE:mailto:evil@evil.example'
    response = post(staff, f"/staff/tickets/{ticket_id}/sessions",
                    {"agent": str(world.users["staff"].id), "starts_on": day.isoformat(), "starts_time": "10:00",
                     "tool": "other", "other_tool": tool})
    assert response.status_code == 302, text(response)[:1000]
    page = customer.get(f"/tickets/{ticket_id}")
    assert_inert(text(page), MARKERS)
    assert "<script>alert(9)" not in text(page)
    ics = customer.get(f"/tickets/{ticket_id}/session.ics").get_data(as_text=True)
    assert not any(line.startswith("ATTENDEE") for line in ics.split("\r\n"))


def test_forum_title_body_and_author_name_are_inert_everywhere(app, world, evil, client_for):
    author, staff, reader = client_for(evil), client_for(world.users["staff"]), app.test_client()
    response = post(author, "/forum/new", {"category": "general", "title": SUBJECT, "body": BODY})
    assert response.status_code == 302, text(response)[:1000]
    with app.app_context():
        thread = Thread.get(Thread.title == SUBJECT)
    reply = post(author, f"/forum/t/{thread.id}/reply", {"body": BODY}, htmx=True)
    assert reply.status_code == 200
    assert_inert(text(reply), MARKERS)
    assert "alert(4)" in _text(text(reply))
    pages = {
        "latest": reader.get("/forum/"), "latest fragment": reader.get("/forum/", headers=HX),
        "category": reader.get("/forum/c/general"), "thread": reader.get(f"/forum/t/{thread.id}"),
        "search": reader.get("/forum/search", query_string={"q": "alert xss1"}),
        "search fragment": reader.get("/forum/search", query_string={"q": "alert xss1"}, headers=HX),
        "staff queue": staff.get("/staff/queue"), "staff thread": staff.get(f"/staff/threads/{thread.id}"),
        "similar": client_for(world.users["customer"]).get("/tickets/new/similar", query_string={"q": "alert xss1"},
                                                           headers=HX),
    }
    for where, page in pages.items():
        assert page.status_code == 200, where
        html = text(page)
        assert_inert(html, MARKERS)
        assert SUBJECT in _text(html), where
    assert NAME in _text(text(pages["thread"]))


JS_LINKS = ["[a](javascript:alert(1))", "[b]( javascript:alert(1))", "[c](JaVaScRiPt:alert(1))",
            "[d](&#106;avascript:alert(1))", "[e](&#x6A;avascript&#x3A;alert(1))", "[f](<java\tscript:alert(1)>)",
            "[g](<java\nscript:alert(1)>)", "[h](%6Aavascript:alert(1))", "<javascript:alert(1)>",
            "[i][ref]\n\n[ref]: javascript:alert(1)", "[j](vbscript:msgbox(1))", "[k](data:text/html,<script>x</script>)",
            "[l](  \t javascript:alert(1))", "[m](java&#09;script:alert(1))", "[n](\x01javascript:alert(1))",
            "[o](javascript&colon;alert(1))", '[p](https://ok.example "title\\" onmouseover=\\"alert(1)")',
            "<a href=\"javascript:alert(1)\">q</a>", "[r](file:///etc/passwd)"]


def test_javascript_urls_in_forum_markdown_never_become_links(app, world, client_for):
    from portal.web.extensions import limiter
    author = client_for(world.users["customer"])
    for link in JS_LINKS:
        limiter.reset()  # the posting rate limit is not under test here
        body = f"See this link please: {link} and thanks."
        response = post(author, f"/forum/t/{world.ids['thread_id']}/reply", {"body": body}, htmx=True)
        assert response.status_code == 200 and "data-refused" not in text(response), link
        reader, url = app.test_client(), f"/forum/t/{world.ids['thread_id']}"
        for page in (text(response), text(reader.get(url)), text(reader.get(url + "?page=2"))):
            assert_inert(page, MARKERS)
            hrefs = [v or "" for _, attrs in live_markup(page)["tags"] for k, v in attrs if k == "href"]
            assert not [h for h in hrefs if re.sub(r"[\x00-\x20]", "", h).lower().startswith(
                ("javascript", "vbscript", "data:", "file:", "&#"))], (link, hrefs)


def test_registration_name_is_stored_as_typed_and_shown_as_text(app, world, client_for):
    from tests.factories import PASSWORD, csrf_token
    client = app.test_client()
    response = client.post("/register", data={"email": "named@example.test", "password": PASSWORD,
                                              "confirm": PASSWORD, "name": NAME,
                                              "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 200
    with app.app_context():
        user = User.by_email("named@example.test")
        assert user.display_name == NAME
        User.update(verified_at=user.created_at).where(User.id == user.id).execute()
        user = User.get_by_id(user.id)
    post(client_for(user), f"/forum/t/{world.ids['thread_id']}/reply", {"body": "A reply from the named user."})
    page = text(app.test_client().get(f"/forum/t/{world.ids['thread_id']}"))
    assert_shown_as_text(page, NAME, MARKERS)
