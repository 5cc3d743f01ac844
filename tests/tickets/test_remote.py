"""Remote-support requests and credentials (policy 8.1-8.6, 3.3)."""
import logging

import pytest

from portal import db as database
from portal.models import Credential, CredentialView, RemoteSession, Ticket
from portal.services import credentials
from portal.services.errors import ServiceError
from tests.tickets.conftest import post, text

SECRET = "Tr0ub4dor&3-unique-pass"
REMOTE_ID = "123-456-789"


def _send(client, t, htmx=False, **changes):
    data = {"remote_id": REMOTE_ID, "password": SECRET, "notes": "admin account"} | changes
    return post(client, f"/tickets/{t.id}/credentials", data, htmx=htmx)


@pytest.mark.parametrize("kwargs", [{}, {"level": "TRIAL"}])
def test_free_and_trial_are_refused_remote_support_with_the_reason(user, ticket, client_for, kwargs):
    # policy 8.2: commercial licenses and resellers only
    u = user(**kwargs)
    t = ticket(u)
    client = client_for(u)
    page = text(client.get(f"/tickets/{t.id}"))
    assert "data-remote-refused" in page and "only for commercial licenses" in page
    assert "Ask for a remote session" not in page and 'name="remote_id"' not in page
    response = post(client, f"/tickets/{t.id}/remote")
    assert response.status_code == 400 and "only for commercial licenses" in text(response)
    assert _send(client, t).status_code == 400
    assert RemoteSession.select().count() == 0 and Credential.select().count() == 0
    assert Ticket.get_by_id(t.id).remote_requested_at is None


@pytest.mark.parametrize("kwargs", [{"level": "STARTER"}, {"role": "reseller"}])
def test_eligible_accounts_request_a_session_once(user, ticket, client_for, kwargs):
    # policy 8.2 (commercial), 3.3 (resellers)
    u = user(**kwargs)
    t = ticket(u)
    client = client_for(u)
    response = post(client, f"/tickets/{t.id}/remote", htmx=True)
    assert response.status_code == 200 and text(response).lstrip().startswith('<section id="remote"')
    assert 'data-session="requested"' in text(response)
    post(client, f"/tickets/{t.id}/remote")  # a second click changes nothing
    session = RemoteSession.get()
    assert RemoteSession.select().count() == 1 and session.requested_by_id == u.id
    assert Ticket.get_by_id(t.id).remote_requested_at is not None


def test_credentials_are_encrypted_at_rest_and_never_shown_back(app, user, ticket, client_for, outbox):
    u = user(level="PRO")
    t = ticket(u)
    client = client_for(u)
    response = _send(client, t)
    assert response.status_code == 302
    cred = Credential.get()
    raw = database.db.execute_sql("SELECT ciphertext FROM credential WHERE id = %s" % cred.id).fetchone()[0]
    assert SECRET.encode() not in bytes(raw) and REMOTE_ID.encode() not in bytes(raw)
    page = text(client.get(f"/tickets/{t.id}"))
    assert SECRET not in page and REMOTE_ID not in page and "admin account" not in page
    assert "Credentials submitted on" in page and "hidden" in page
    hx = _send(client, t, htmx=True, password="another-secret-99")
    assert hx.status_code == 200 and "another-secret-99" not in text(hx) and REMOTE_ID not in text(hx)
    assert "will not be shown again" in text(hx)
    # the newer set replaces the older one
    assert Credential.select().where(Credential.ciphertext.is_null(False)).count() == 1
    assert all(SECRET not in m["body"] and REMOTE_ID not in m["body"] for m in outbox)


def test_credential_errors_do_not_echo_values(user, ticket, client_for):
    u = user(level="PRO")
    t = ticket(u)
    response = _send(client_for(u), t, remote_id="", password=SECRET)
    assert response.status_code == 400 and SECRET not in text(response)
    assert 'id="e-remote_id"' in text(response) and Credential.select().count() == 0


def test_reveal_records_each_view_and_closing_destroys(app, user, ticket, client_for, in_app):
    u, agent = user(level="SITE"), user(role="staff")
    t = ticket(u)
    client = client_for(u)
    post(client, f"/tickets/{t.id}/remote")
    _send(client, t)
    cred = Credential.get()
    assert cred.session_id == RemoteSession.get().id
    with app.app_context():
        assert credentials.reveal(cred, agent) == {"remote_id": REMOTE_ID, "password": SECRET,
                                                   "notes": "admin account"}
    assert CredentialView.select().where(CredentialView.viewer == agent).count() == 1
    post(client, f"/tickets/{t.id}/close")  # policy 8.5: destroyed when the ticket closes
    cred = Credential.get_by_id(cred.id)
    assert cred.ciphertext is None and cred.destroyed_at is not None
    assert RemoteSession.get().status == "cancelled"
    with app.app_context(), pytest.raises(ServiceError):
        credentials.reveal(cred, agent)
    assert "were destroyed on" in text(client.get(f"/tickets/{t.id}"))


def test_destroy_for_session(app, user, ticket, client_for):
    u = user(level="PRO")
    t = ticket(u)
    client = client_for(u)
    post(client, f"/tickets/{t.id}/remote")
    _send(client, t)
    with app.app_context():
        assert credentials.destroy_for_session(RemoteSession.get()) == 1
    assert Credential.get().ciphertext is None


def test_credentials_never_reach_the_logs(app, user, ticket, client_for, caplog):
    u = user(level="PRO")
    t = ticket(u)
    with caplog.at_level(logging.DEBUG):
        _send(client_for(u), t)
    assert SECRET not in caplog.text


def test_closed_ticket_takes_no_credentials(user, ticket, client_for):
    u = user(level="PRO")
    t = ticket(u)
    client = client_for(u)
    post(client, f"/tickets/{t.id}/close")
    assert _send(client, t).status_code == 400 and Credential.select().count() == 0
