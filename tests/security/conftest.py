"""One database per test module: an "owner" (PRO customer) with real objects, and a client per role.

Everything is made inside short app contexts that end before any request, so each test
client's request has its own `g` (Flask-Login caches the user there).
"""
import datetime
import itertools

import pytest
from portal.services.attachments import Incoming
from tests import factories
from tests.conftest import app_env, empty_database

ROLES = ("anonymous", "FREE", "TRIAL", "STARTER", "PLUS", "PRO", "SITE", "reseller", "manager", "member",
         "manager_b", "staff", "admin")
# policy 3.1: the partner roles of the matrix, as (partner number, role in it)
PARTNER_ROLES = {"manager": ("P-AUTHZ-A", "manager"), "member": ("P-AUTHZ-A", "member"),
                 "manager_b": ("P-AUTHZ-B", "manager")}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
_seq = itertools.count(1)


def user_for(role):
    """A verified account for a role of the matrix (customers by level, partner roles in their partner)."""
    if role in PARTNER_ROLES:
        from portal.models import Partner
        number, partner_role = PARTNER_ROLES[role]
        partner = Partner.get_or_none(Partner.number == number) or Partner.create(name=number, number=number)
        return factories.make_user(role="reseller", partner=partner, partner_role=partner_role)
    if role in ("reseller", "staff", "admin"):
        return factories.make_user(role=role)
    return factories.make_user(level=role)


def png(name="screen.png"):
    return Incoming(name, PNG)


def owner_ticket(owner, subject="Viewer cannot connect to the Host", files=()):
    """A ticket filed by `owner` through the tickets service."""
    from portal.services import tickets
    return tickets.create_ticket(owner, "Remote Utilities", "8.1.0.3", subject,
                                 "After the update the Viewer does not connect to the Host.",
                                 files=list(files), accept_policy=True)


def scheduled_session(ticket, agent):
    """A remote session the requester asked for, scheduled by staff with `agent` in two days."""
    from portal.db import utcnow
    from portal.models import RemoteSession
    from portal.services import tickets
    session = tickets.request_remote(ticket, ticket.requester)
    (RemoteSession.update(status="scheduled", agent=agent, starts_at=utcnow() + datetime.timedelta(days=2))
     .where(RemoteSession.id == session.id).execute())
    return RemoteSession.get_by_id(session.id)


class World:
    """The app, the owner's objects (URL parameters) and one logged-in client per role."""

    def __init__(self, app):
        self.app = app
        self.clients, self.users = {}, {}
        with app.test_request_context():
            self.params = self._build()

    def _build(self):
        from portal.models import Attachment, Bug, CannedReply, Category, Credential, Post
        from portal.services import canned, credentials, forum
        from portal.services.orders import add_release
        from portal.tokens import make_token
        self.owner = factories.make_user(level="PRO", email="owner@example.test")
        self.agent = factories.make_user(role="staff", email="agent@example.test")
        self.category = Category.create(slug="installation", name="Installation", position=1)
        Category.create(slug="configuration", name="Configuration", position=2)
        for role in ROLES[1:]:
            self.users[role] = user_for(role)
        partner_member = user_for("member")  # the colleague partner A's manager acts on
        invite, invite_token = self._invite()
        ticket = owner_ticket(self.owner, files=[png()])
        session = scheduled_session(ticket, self.agent)
        credentials.store_credentials(ticket, self.owner, "ID-555-777", "owner-secret-Pa55", "")
        thread = forum.start_thread(self.owner, self.category, "Install fails on Windows Server",
                                    "The installer stops at 90 percent on Windows Server 2022.")
        canned.ensure_seeded()
        lic_key = self.owner.licenses.get().key
        return {
            "ticket_id": ticket.id, "att_id": Attachment.get(Attachment.ticket == ticket).id,
            "session_id": session.id, "credential_id": Credential.get(Credential.ticket == ticket).id,
            "thread_id": thread.id, "post_id": Post.get(Post.thread == thread).id, "row_key": f"ticket-{ticket.id}",
            "slug": self.category.slug, "bug_id": Bug.create(title="Viewer crash on resize").id,
            "release_id": add_release("Remote Utilities", "8.1.0.3").id,
            "mail_id": failed_mail().id, "notice_id": failed_notice(ticket.id).id,
            "reply_id": CannedReply.select().order_by(CannedReply.id).first().id,
            "token": None, "owner_key": lic_key,
            "user_id": partner_member.id, "invite_id": invite.id, "invite_token": invite_token,
            "license_id": self._sold_license().id,
            "verify_token": make_token("verify", self.owner), "reset_token": make_token("reset", self.owner),
        }

    def _invite(self):
        """A waiting invitation of partner A, sent by its manager: (the row, its link's token)."""
        from portal.services import partner_invites
        sent = partner_invites.invite(self.users["manager"], f"invitee{next(_seq)}@example.test", "member")
        mail = self.app.extensions["outbox"].sent[-1]["body"]
        return sent, mail.split("/partner/invite/", 1)[1].split()[0]

    def _sold_license(self):
        """A license of an order partner A bought for resale (policy 3.1)."""
        from portal.models import Order
        order, lic = factories.make_order("end-customer@example.test", "SITE")
        Order.update(partner=self.users["manager"].partner_id).where(Order.id == order.id).execute()
        return lic

    # -- clients ----------------------------------------------------------------------

    def login_as(self, user):
        """A new client logged in as `user`."""
        client = self.app.test_client()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                               "csrf_token": factories.csrf_token(client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    def client(self, role):
        """The role's client, logged in once per module."""
        if role not in self.clients:
            self.clients[role] = (self.app.test_client() if role == "anonymous"
                                  else self.login_as(self.users[role]))
        return self.clients[role]

    def fresh_client(self, role):
        """A client for a new account of this role (for actions that end the account's sessions)."""
        if role == "anonymous":
            return self.app.test_client()
        with self.app.app_context():
            user = user_for(role)
        return self.login_as(user)

    def csrf(self, client, role=None):
        """A CSRF token valid for this client's session."""
        token = getattr(client, "authz_csrf", None)
        if token is None:  # kept on the client: a token belongs to that client's session
            token = client.authz_csrf = factories.csrf_token(client, "/login" if role == "anonymous" else "/policy")
        return token

    # -- fresh objects for actions that change or consume them ---------------------------

    def fresh(self, kind):
        """URL parameters pointing at new objects of the owner: ticket, session, thread or release;
        or of partner A: a member, an invitation."""
        from portal.services import forum
        from portal.services.orders import add_release
        n = next(_seq)
        with self.app.test_request_context():
            if kind == "ticket":
                return {"ticket_id": owner_ticket(self.owner, f"Fresh ticket {n}").id}
            if kind == "session":
                ticket = owner_ticket(self.owner, f"Fresh session ticket {n}")
                return {"ticket_id": ticket.id, "session_id": scheduled_session(ticket, self.agent).id}
            if kind == "thread":
                thread = forum.start_thread(self.owner, self.category, f"Fresh thread number {n}",
                                            "The Host service does not start after a reboot.")
                return {"thread_id": thread.id}
            if kind == "member":
                return {"user_id": user_for("member").id}
            if kind == "invite":
                return {"invite_id": self._invite()[0].id}
            if kind == "release":
                return {"release_id": add_release("Remote Utilities Server", f"4.9.{n}.0").id}
            if kind == "mail":
                return {"mail_id": failed_mail().id}
            if kind == "notice":
                return {"notice_id": failed_notice(owner_ticket(self.owner, f"Fresh notice ticket {n}").id).id}
        raise ValueError(kind)


def failed_mail():
    """An outbox row the sender gave up on (what /admin/mail's Retry takes)."""
    from portal.models import OutboxMail
    return OutboxMail.create(to="someone@example.test", subject="s", text="t", token="0" * 16, status="failed",
                             attempts=8, last_error="550 no such mailbox")


def failed_notice(ticket_id):
    """A mail notice the sender gave up on (what /admin/mail's notice Retry takes)."""
    from portal.models import MailNotice
    return MailNotice.create(kind="ticket_received", template="ticket_received", ticket_id=ticket_id,
                             attempts=8, last_error="TemplateNotFound")


@pytest.fixture(scope="module")
def authz_db(migrated_template, tmp_path_factory):
    """A migrated, empty database for one test module."""
    return empty_database(migrated_template, tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def authz_world(authz_db, tmp_path_factory):
    """The module's app (rate limits off: the matrix asks for authorization, not throttling)."""
    from portal import db as database
    from portal.web import create_app
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False},
                     env=app_env(authz_db, tmp_path_factory.mktemp("security-app")))
    database.db.connect(reuse_if_open=True)
    yield World(app)
    database.close_connection()
