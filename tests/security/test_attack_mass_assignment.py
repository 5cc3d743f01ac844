"""Mass assignment: extra form fields (role, level, assignee, requester, status, verified_at,
is_staff_answer, rank_band, due_at ...) on register, account, tickets and the forum are ignored."""
import re

from portal.models import Message, Post, Thread, Ticket, User
from portal.services import get_policy
from tests.factories import PASSWORD, csrf_token
from tests.security.attack_helpers import client_for, post, text, world  # noqa: F401

EXTRA = {"role": "admin", "level": "SITE", "level_reason": "SITE: forged", "verified_at": "2020-01-01 00:00:00",
         "is_active_account": "1", "session_version": "99", "is_staff": "1", "is_admin": "1",
         "policy_version": "forged", "notes": "forged", "id": "1", "email_verified": "1"}


def extra(world):
    """Every field an attacker might add, pointing at other people's objects."""
    return EXTRA | {"assignee": str(world.users["staff"].id), "assignee_id": str(world.users["staff"].id),
                    "requester": str(world.users["other"].id), "requester_id": str(world.users["other"].id),
                    "author": str(world.users["staff"].id), "author_id": str(world.users["staff"].id),
                    "status": "closed", "rank_band": "0", "due_at": "2000-01-01 00:00:00", "awaiting_staff": "0",
                    "internal": "1", "is_staff_answer": "1", "hidden": "1", "locked": "1", "first_response_at": "x",
                    "bug": str(world.ids["bug_id"]), "submitted_by": str(world.users["staff"].id),
                    "accepted_post": "1", "ticket": str(world.ids["ticket_id"]), "user": str(world.users["staff"].id)}


def test_register_ignores_extra_fields(app, world):
    client = app.test_client()
    response = client.post("/register", data=extra(world) | {
        "email": "mass@example.test", "password": PASSWORD, "confirm": PASSWORD, "name": "Mass",
        "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 200
    with app.app_context():
        user = User.by_email("mass@example.test")
        assert (user.role, user.level, user.verified_at, user.session_version) == ("customer", "FREE", None, 1)
        assert user.policy_version is None and user.notes == "" and user.id != 1


def test_account_forms_ignore_extra_fields(app, world, client_for):
    user = world.users["free"]
    client = client_for(user)
    post(client, "/account/password", extra(world) | {"current": PASSWORD, "password": "another long one",
                                                     "confirm": "another long one"})
    post(client, "/account/license", extra(world) | {"key": "NOT-A-KEY"})
    with app.app_context():
        fresh = User.get_by_id(user.id)
        assert (fresh.role, fresh.level, fresh.email) == ("customer", "FREE", user.email)
        assert fresh.policy_version is None and fresh.notes == ""


def test_ticket_create_and_reply_ignore_extra_fields(app, world, client_for):
    customer = world.users["customer"]
    client = client_for(customer)
    token = re.search(r'name="submit_token" value="([^"]+)"', text(client.get("/tickets/new"))).group(1)
    response = post(client, "/tickets/new", extra(world) | {
        "product": "Remote Utilities", "version": "8.1.0.3", "subject": "Mass assignment", "accept_policy": "1",
        "body": "The Viewer does not connect.", "submit_token": token})
    assert response.status_code == 302
    ticket_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        ticket = Ticket.get_by_id(ticket_id)
        policy = get_policy()
        assert ticket.requester_id == customer.id and ticket.assignee_id is None and ticket.bug_id is None
        assert (ticket.status, ticket.level, ticket.awaiting_staff) == ("open", "PRO", True)
        assert ticket.rank_band == policy.rank_band("ticket", "PRO") and ticket.due_at.year > 2020
        assert ticket.first_response_at is None
        message = Message.get(Message.ticket == ticket_id)
        assert message.author_id == customer.id and not message.internal
    reply = post(client, f"/tickets/{ticket_id}/reply", extra(world) | {"body": "More details."})
    assert reply.status_code == 302
    with app.app_context():
        last = Message.select().where(Message.ticket == ticket_id).order_by(Message.id.desc()).first()
        assert last.author_id == customer.id and not last.internal
        ticket = Ticket.get_by_id(ticket_id)
        assert ticket.status == "open" and ticket.assignee_id is None and ticket.requester_id == customer.id
        assert Ticket.get_by_id(world.ids["ticket_id"]).status == "open"  # the named `ticket` is untouched


def test_forum_posts_ignore_extra_fields(app, world, client_for):
    author = world.users["customer"]
    client = client_for(author)
    response = post(client, "/forum/new", extra(world) | {"category": "general", "title": "Mass assignment thread",
                                                          "body": "How do I install the Host?"})
    assert response.status_code == 302
    with app.app_context():
        thread = Thread.get(Thread.title == "Mass assignment thread")
        assert (thread.author_id, thread.hidden, thread.locked, thread.awaiting_staff) == (author.id, False, False, True)
        assert thread.assignee_id is None and thread.accepted_post is None and thread.level == "PRO"
        assert thread.rank_band == get_policy().rank_band("forum", "PRO") and thread.due_at.year > 2020
        first = Post.get(Post.thread == thread.id)
        assert first.author_id == author.id and not first.is_staff_answer and not first.hidden
    post(client, f"/forum/t/{thread.id}/reply", extra(world) | {"body": "Any idea, anyone?"})
    post(client, f"/forum/p/{first.id}/edit", extra(world) | {"body": "How do I install the Host, please?"})
    with app.app_context():
        posts = list(Post.select().where(Post.thread == thread.id).order_by(Post.id))
        assert len(posts) == 2 and all(p.author_id == author.id and not p.is_staff_answer and not p.hidden
                                       for p in posts)
        thread = Thread.get_by_id(thread.id)
        assert thread.awaiting_staff and thread.first_response_at is None and not thread.locked


def test_credentials_ignore_extra_fields(app, world, client_for):
    from portal.models import Credential
    client = client_for(world.users["customer"])
    response = post(client, f"/tickets/{world.ids['ticket_id']}/credentials",
                    extra(world) | {"remote_id": "ID-9", "password": "pw-123456", "session": "999"})
    assert response.status_code == 302
    with app.app_context():
        cred = Credential.select().order_by(Credential.id.desc()).first()
        assert cred.submitted_by_id == world.users["customer"].id and cred.ticket_id == world.ids["ticket_id"]
        assert cred.session_id == world.ids["session_id"]
