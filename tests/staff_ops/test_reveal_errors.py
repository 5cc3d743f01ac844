"""Credentials that cannot be revealed answer 409 with the reason, never a 500 (policy 8.5)."""
from cryptography.fernet import Fernet

from portal.models import AuditLog, CredentialView
from tests.staff_ops.conftest import make_ticket, post, scheduled_session, store_credentials
from tests.factories import csrf_token


def _setup(app, make_user, login):
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    ticket = make_ticket(customer)
    cred = store_credentials(app, ticket)
    scheduled_session(ticket, agent)
    return cred, login(agent)


def test_key_rotated_answers_409_with_the_message(app, make_user, login):  # policy 8.5
    cred, client = _setup(app, make_user, login)
    app.config["CREDENTIALS_KEY"] = Fernet.generate_key().decode()  # the key was rotated
    response = post(client, f"/staff/credentials/{cred.id}/reveal")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "cannot be decrypted with the current key" in html
    assert "no-store" in response.headers["Cache-Control"]
    response = post(client, f"/staff/credentials/{cred.id}/reveal", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "cannot be decrypted" in html
    # nothing was shown, so no view or audit row stays behind
    assert CredentialView.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "credential.view").count() == 0


def test_destroyed_between_reads_answers_409(app, make_user, login, monkeypatch):  # policy 8.5
    from portal.services import credentials
    cred, client = _setup(app, make_user, login)

    def destroyed_meanwhile(credential, viewer):  # the session ended between the two reads
        credentials.destroy_for_ticket(credential.ticket)
        return original(credential, viewer)
    original = credentials.reveal
    monkeypatch.setattr(credentials, "reveal", destroyed_meanwhile)
    response = post(client, f"/staff/credentials/{cred.id}/reveal")
    assert response.status_code == 409 and "destroyed" in response.get_data(as_text=True)


def test_revealing_an_unknown_credential_is_a_404(app, make_user, login):
    agent = login(make_user(role="staff"), app.test_client())
    response = agent.post("/staff/credentials/987654/reveal", data={"csrf_token": csrf_token(agent)})
    assert response.status_code == 404
