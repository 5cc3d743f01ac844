"""Shared by the attack suite (issue 7 part 3): a seeded world, logged-in clients, HTML checks.

Data is made inside short app contexts that end before any request, so test-client
requests never share `g` (where Flask-Login keeps the user) with the factories.
"""
import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from portal.db import utcnow
from tests import factories

HX = {"HX-Request": "true"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "hx-get", "hx-post", "background",
             "poster", "data"}
_CTRL = re.compile(r"[\x00-\x20\x7f]+")


def post(client, url, data=None, htmx=False, **kwargs):
    """POST with a valid CSRF token (form field, or the header htmx sends)."""
    data = dict(data or {})
    headers = dict(kwargs.pop("headers", {}))
    if htmx:
        headers |= HX | {"X-CSRFToken": factories.csrf_token(client)}
    else:
        data.setdefault("csrf_token", factories.csrf_token(client))
    return client.post(url, data=data, headers=headers, **kwargs)


def text(response):
    return response.get_data(as_text=True)


class _Markup(HTMLParser):
    """Collects what would run in a browser: script elements, on* handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.script_urls, self.tags = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
            if name in URL_ATTRS and value:
                plain = _CTRL.sub("", value).lower()
                if plain.startswith(DANGEROUS_SCHEMES):
                    self.script_urls.append((tag, name, value))

    handle_startendtag = handle_starttag


def live_markup(html):
    """Everything in `html` that a browser would run, beyond the portal's own static scripts."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    foreign = [s for s in parser.scripts if not (s or "").startswith("/static/js/")]
    return {"scripts": foreign, "handlers": parser.handlers, "script_urls": parser.script_urls,
            "tags": parser.tags}


def assert_inert(html, markers=()):
    """No script element, handler or script URL, and no element whose attributes carry a marker."""
    found = live_markup(html)
    assert not found["scripts"], found["scripts"]
    assert not found["handlers"], found["handlers"]
    assert not found["script_urls"], found["script_urls"]
    for tag, attrs in found["tags"]:
        for marker in markers:
            assert tag not in ("img", "svg", "iframe", "object", "embed", "math") or not any(
                marker in (v or "") for _, v in attrs), (tag, attrs)


def overlong_values():
    """model.field for every column holding a text longer than its varchar (SQLite does not refuse it)."""
    from peewee import fn
    from portal.db import BaseModel
    found = []
    for model in sorted(set(_all_subclasses(BaseModel)), key=lambda m: m.__name__):
        for field in model._meta.sorted_fields:
            limit = getattr(field, "max_length", None)
            if limit and model.select().where(fn.LENGTH(field) > limit).exists():
                found.append(f"{model.__name__}.{field.name}")
    return found


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)



# -- a seeded world: one of everything, owned by known accounts ----------------------------------

@dataclass
class World:
    """Ids and accounts of the seeded objects (every route parameter has something to name)."""
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def _in(app, fn, *args, **kwargs):
    with app.app_context():
        return fn(*args, **kwargs)


def make_user(app, **kwargs):
    """factories.make_user inside a short app context (a level needs the policy)."""
    return _in(app, factories.make_user, **kwargs)


def file_ticket(app, requester, subject="Viewer cannot connect", body="The Viewer does not connect to the Host.",
                **kwargs):
    """A ticket filed through the tickets service (policy accepted)."""
    from portal.services import tickets
    with app.test_request_context():
        return tickets.create_ticket(requester, "Remote Utilities", "8.1.0.3", subject, body,
                                     accept_policy=True, **kwargs)


def start_thread(app, author, title="How do I install the Host?", body="Step by step, please.", slug="general"):
    """A forum thread started through the forum service."""
    from portal.models import Category, User
    from portal.services import forum
    with app.test_request_context():
        category = Category.get_or_none(Category.slug == slug) or Category.create(slug=slug, name=slug.title())
        return forum.start_thread(User.get_by_id(author.id), category, title, body)


def _seed(app):
    from portal.models import Attachment, Bug, CannedReply, Credential, Order, Post, Release, RemoteSession
    from portal.services import canned, credentials
    w = World()
    for name, kw in {"customer": dict(level="PRO"), "other": dict(level="PLUS"), "free": dict(level=None),
                     "reseller": dict(role="reseller"), "staff": dict(role="staff"),
                     "staff2": dict(role="staff"), "admin": dict(role="admin")}.items():
        w.users[name] = make_user(app, **kw)
    ticket = file_ticket(app, w.users["customer"])
    thread = start_thread(app, w.users["customer"])
    with app.test_request_context():
        now = utcnow()
        from portal.models import Message
        message = Message.get(Message.ticket == ticket.id)
        att = Attachment.create(ticket=ticket.id, message=message.id, uploaded_by=w.users["customer"].id,
                                filename="log.txt", stored_name="seeded" + "0" * 26, content_type="text/plain",
                                size=3)
        session = RemoteSession.create(ticket=ticket.id, requested_by=w.users["customer"].id,
                                       agent=w.users["staff"].id, status="scheduled",
                                       starts_at=now + datetime.timedelta(days=2))
        cred = credentials.store_credentials(ticket, w.users["customer"], "ID-111-222", "s3cret-Pa55", "")
        bug = Bug.create(title="Viewer freezes", workaround="Restart the Host")
        canned.ensure_seeded()
        release = Release.create(product="Remote Utilities", version="8.1.0.3", major=8, minor=1,
                                 subminor=0, patch=3, released_on=datetime.date.today())
        w.ids = {"ticket_id": ticket.id, "thread_id": thread.id, "att_id": att.id, "session_id": session.id,
                 "credential_id": cred.id, "bug_id": bug.id, "reply_id": CannedReply.select().first().id,
                 "release_id": release.id, "post_id": Post.get(Post.thread == thread.id).id,
                 "slug": "general", "message_id": message.id, "row_key": f"ticket-{ticket.id}"}
        from tests.security.conftest import failed_mail, failed_notice
        w.ids["mail_id"] = failed_mail().id
        w.ids["notice_id"] = failed_notice(ticket.id).id
        assert Credential.get_by_id(cred.id).session_id == session.id
        # policy 3.1: a partner whose manager could change its member and invitation
        from portal.services import partner_invites
        _, (manager, member) = factories.make_partner("Attack Partner", "P-ATTACK", managers=1, members=1)
        w.users["manager"] = manager
        order, sold = factories.make_order("end-customer@example.test", "SITE")  # bought by the partner
        Order.update(partner=manager.partner_id).where(Order.id == order.id).execute()
        w.ids |= {"user_id": member.id, "license_id": sold.id,
                  "invite_id": partner_invites.invite(manager, "invitee@example.test", "member").id}
    return w


@pytest.fixture
def world(app):
    """One of everything: accounts of each role, a ticket with attachment, session, credential, thread."""
    return _seed(app)


@pytest.fixture
def client_for(app):
    """client_for(user) → a new test client logged in as that user."""
    def _make(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                               "csrf_token": factories.csrf_token(client, "/login")})
        assert response.status_code == 302, response.data[:300]
        return client
    return _make


def rule_url(rule, ids):
    """A concrete URL for a url_map rule, its arguments filled from the seeded ids."""
    values = {}
    for arg in rule.arguments:
        if arg == "action":
            values[arg] = "close" if rule.endpoint.startswith("tickets.") else "end"
        elif arg == "token":
            values[arg] = "not-a-token"
        elif arg == "filename":
            values[arg] = "css/portal.css"
        else:
            values[arg] = ids[arg]
    return rule.build(values)[1]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html):
    """The text a reader sees (entities decoded), to check a payload is shown as text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def assert_shown_as_text(html, payload, markers=()):
    """The payload appears as plain text and nothing in the page would run."""
    assert payload in visible_text(html), payload
    assert payload not in html  # the raw characters never reach the page unescaped
    assert_inert(html, markers)
