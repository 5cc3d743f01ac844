"""Each product Decision of the support policy is a switch in the policy file (policy 1.2, 1.3, 2.2, 4.2, 4.5, 8.6)."""
import dataclasses

import pytest

from portal.models import License, Post, Thread, Ticket, User
from portal.services import licenses, tickets
from tests.factories import csrf_token, make_order


@pytest.fixture
def decide(app):
    """Change one Decision on the running app's policy (services run in an app context)."""
    policy = app.extensions["runtime"].policy
    original = policy.decisions

    def _set(**changes):
        policy.decisions = dataclasses.replace(original, **changes)
    with app.test_request_context():
        yield _set
    policy.decisions = original


def test_policy_1_2_acceptance_once_or_off(app, make_user, decide):
    user = make_user(level="PRO")
    assert tickets.needs_policy_acceptance(user)
    User.update(policy_accepted_at=User.created_at, policy_version="old").where(User.id == user.id).execute()
    user = User.get_by_id(user.id)
    assert tickets.needs_policy_acceptance(user)  # default: each version
    decide(policy_acceptance="once")
    assert not tickets.needs_policy_acceptance(user)
    decide(policy_acceptance="off")
    assert not tickets.needs_policy_acceptance(make_user(level="PRO"))


def test_policy_2_2_reprioritise_switch(app, make_user, decide):
    decide(reprioritise_on_upgrade=False)
    user = make_user(level="STARTER")
    ticket = tickets.create_ticket(user, "Remote Utilities", "", "Viewer freezes on connect",
                                   "The Viewer freezes when I connect to a Host.", accept_policy=True)
    make_order(user.email, "SITE")
    licenses.attach_by_email(user)
    assert User.get_by_id(user.id).level == "SITE"
    unchanged = Ticket.get_by_id(ticket.id)
    assert (unchanged.level, unchanged.due_at) == (ticket.level, ticket.due_at)


def test_policy_4_5_recognition_before_verification_when_allowed(app, make_user, decide):
    user = make_user(verified=False)
    make_order(user.email, "PRO")
    assert licenses.attach_by_email(user) == 0  # default: verified only
    decide(recognise_only_verified=False)
    assert licenses.attach_by_email(user) == 1
    assert License.select().where(License.user == user).count() == 1


def test_policy_8_6_forum_guard_switch(app, client, make_user, login, decide):
    from portal.models import Category
    Category.create(slug="general", name="General")
    login(make_user(level="PRO"))
    form = {"category": "general", "title": "Cannot connect to my host",
            "body": "My password is Hunter2!x and it is refused.", "csrf_token": csrf_token(client, "/forum/new")}
    assert client.post("/forum/new", data=form).status_code == 422
    assert Post.select().count() == 0
    decide(forum_secret_guard=False)
    assert client.post("/forum/new", data=form).status_code in (200, 302)
    assert Thread.select().count() == 1


def test_policy_1_3_suggestions_switch(app, client, make_user, login, decide):
    login(make_user(level="PRO"))
    decide(suggest_similar_threads=False)
    response = client.get("/tickets/new/similar?q=viewer+cannot+connect", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"href=\"/forum" not in response.data
