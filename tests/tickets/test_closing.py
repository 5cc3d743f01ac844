"""Closing a ticket ends its remote sessions and destroys its credentials (policy 8.5)."""
from portal.models import Credential, RemoteSession, Ticket
from portal.services import credentials
from tests.tickets.conftest import post


def test_closing_ends_a_running_session_and_destroys_its_credentials(app, user, ticket, client_for):
    # policy 8.5 Decision: credentials are destroyed when the session ends; no session outlives its ticket
    owner, agent = user(level="PRO"), user(role="staff")
    t = ticket(owner)
    running = RemoteSession.create(ticket=t.id, requested_by=owner.id, agent=agent.id, status="running")
    with app.app_context():
        credentials.store_credentials(Ticket.get_by_id(t.id), owner, "123-456-789", "s3cret pass", "")
    assert Credential.get().session_id == running.id
    response = post(client_for(owner), f"/tickets/{t.id}/close")
    assert response.status_code == 302
    ended = RemoteSession.get_by_id(running.id)
    assert ended.status == "ended" and ended.ended_at is not None
    cred = Credential.get()
    assert cred.ciphertext is None and cred.destroyed_at is not None
    assert Ticket.get_by_id(t.id).status == "closed"


def test_closing_cancels_a_requested_session_but_leaves_ended_ones_alone(app, user, ticket, client_for):
    # policy 8.5: pending sessions are cancelled; a finished session keeps its history
    owner = user(level="PRO")
    t = ticket(owner)
    old = RemoteSession.create(ticket=t.id, requested_by=owner.id, status="ended")
    pending = RemoteSession.create(ticket=t.id, requested_by=owner.id, status="requested")
    assert post(client_for(owner), f"/tickets/{t.id}/close").status_code == 302
    assert RemoteSession.get_by_id(pending.id).status == "cancelled"
    assert RemoteSession.get_by_id(old.id).status == "ended" and RemoteSession.get_by_id(old.id).ended_at is None
