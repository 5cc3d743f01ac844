"""policy 8.5: credentials pasted into ticket text are refused, nothing is stored, the typed
text stays in the form, and the page points to the ticket's credentials form."""
import logging

import pytest

from portal.models import Message, Ticket
from tests.tickets.conftest import post, submit_token, text

PASTED = "Please connect.\nuser: administrator password: Winter2026!Acme\nThanks"
OBFUSCATED = [
    PASTED,
    "Please connect, the pass\u200bword is Winter2026!Acme",            # zero-width space
    "Please connect, the p\u0430ssword is Winter2026!Acme",             # Cyrillic a
    "Please connect, the \uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44 is Winter2026!Acme",  # fullwidth
    "Please connect, my password is\n\nWinter2026!Acme",               # the next paragraph
]


def _new_ticket_form(client, body, subject="Viewer cannot connect"):
    page = text(client.get("/tickets/new"))
    return {"product": "Remote Utilities", "version": "8.1.0.3", "subject": subject, "body": body,
            "accept_policy": "1", "submit_token": submit_token(page)}


@pytest.mark.parametrize("body", OBFUSCATED)
def test_new_ticket_with_a_password_is_refused_and_nothing_is_stored(user, client_for, caplog, body):
    client = client_for(user(level="PRO"))
    caplog.set_level(logging.DEBUG)
    response = post(client, "/tickets/new", _new_ticket_form(client, body))
    html = text(response)
    assert response.status_code == 400
    assert "appears to contain a password" in html and "policy 8.5" in html
    assert "data-credentials-pointer" in html and "credentials form" in html
    assert "Winter2026!Acme" in html  # the typed text is kept in the form
    assert Ticket.select().count() == 0 and Message.select().count() == 0
    assert "Winter2026" not in caplog.text


def test_subject_with_a_password_is_refused(user, client_for):
    client = client_for(user(level="PRO"))
    form = _new_ticket_form(client, "The Viewer does not connect.", subject="admin password: Winter2026!Acme")
    response = post(client, "/tickets/new", form)
    assert response.status_code == 400 and 'id="e-subject"' in text(response)
    assert Ticket.select().count() == 0


def test_reply_with_a_password_points_to_this_tickets_credentials_form(user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner)
    client = client_for(owner)
    for htmx in (False, True):
        response = post(client, f"/tickets/{t.id}/reply", {"body": PASTED}, htmx=htmx)
        html = text(response)
        assert response.status_code == (200 if htmx else 400)
        assert "appears to contain a password" in html
        assert f'href="/tickets/{t.id}#credentials"' in html
        assert "Winter2026!Acme" in html  # kept in the textarea
    assert Message.select().count() == 1  # only the ticket's first message
    assert 'id="credentials"' in text(client.get(f"/tickets/{t.id}"))  # the form it points to exists


def test_free_account_is_told_credentials_are_not_needed(user, ticket, client_for):
    owner = user(level="FREE")
    t = ticket(owner)
    response = post(client_for(owner), f"/tickets/{t.id}/reply", {"body": PASTED})
    html = text(response)
    assert response.status_code == 400 and "does not include remote support (policy 8.2)" in html
    assert "#credentials" not in html


def test_reseller_reply_is_guarded_too(user, ticket, client_for):
    owner = user(role="reseller")
    t = ticket(owner)
    response = post(client_for(owner), f"/tickets/{t.id}/reply", {"body": PASTED})
    assert response.status_code == 400 and Message.select().count() == 1


@pytest.mark.parametrize("body", [
    "I forgot my password and the reset mail never arrives.",
    "Even with **Remember password** ticked the Viewer asks again.",
    "The Host asks for a password although Windows authentication is set.",
])
def test_talk_about_passwords_is_not_refused(user, ticket, client_for, body):
    owner = user(level="PRO")
    t = ticket(owner)
    response = post(client_for(owner), f"/tickets/{t.id}/reply", {"body": body})
    assert response.status_code == 302 and Message.select().count() == 2


def test_staff_replies_are_not_guarded(user, ticket, client_for):
    owner, agent = user(level="PRO"), user(role="staff")
    t = ticket(owner)
    response = post(client_for(agent), f"/tickets/{t.id}/reply",
                    {"body": "Use the default: password: Winter2026!Acme, then change it."})
    assert response.status_code == 302 and Message.select().count() == 2


def test_decision_off_stores_the_text(app, user, ticket, client_for):
    import dataclasses
    policy = app.extensions["runtime"].policy
    original = policy.decisions
    policy.decisions = dataclasses.replace(original, ticket_secret_guard=False)
    try:
        owner = user(level="PRO")
        t = ticket(owner)
        response = post(client_for(owner), f"/tickets/{t.id}/reply", {"body": PASTED})
    finally:
        policy.decisions = original
    assert response.status_code == 302 and Message.select().count() == 2
