"""Credential use cases: store, reveal to the session's agent only, destroy (policy 8.5)."""
import datetime

import pytest

from portal.db import utcnow
from portal.models import Credential, CredentialView, RemoteSession
from portal.services import credentials, sessions
from portal.services.errors import ServiceError
from tests import factories


def _scheduled(ticket, agent):
    return RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status="scheduled",
                                starts_at=utcnow() + datetime.timedelta(days=2))


def test_storing_replaces_the_earlier_credentials(ticket, customer):
    first = credentials.store_credentials(ticket, customer, "ID-1", "first-Pa55", "")
    credentials.store_credentials(ticket, customer, "ID-2", "second-Pa55", "")
    assert Credential.get_by_id(first.id).ciphertext is None
    assert Credential.select().where(Credential.ciphertext.is_null(False)).count() == 1


def test_a_missing_password_is_refused(ticket, customer):
    with pytest.raises(ServiceError) as refused:
        credentials.store_credentials(ticket, customer, "ID-1", "", "")
    assert "password" in refused.value.errors and Credential.select().count() == 0


def test_the_sessions_agent_sees_them_and_the_view_is_logged(ticket, customer, agent):
    session = _scheduled(ticket, agent)
    credential = credentials.store_credentials(ticket, customer, "ID-1", "s3cret-Pa55", "")
    decision, values = sessions.reveal(credential.id, agent)
    assert decision and values["password"] == "s3cret-Pa55" and session.id == Credential.get_by_id(credential.id).session_id
    assert CredentialView.select().where(CredentialView.viewer == agent).count() == 1


def test_another_agent_sees_nothing(ticket, customer, agent):
    _scheduled(ticket, agent)
    credential = credentials.store_credentials(ticket, customer, "ID-1", "s3cret-Pa55", "")
    decision, values = sessions.reveal(credential.id, factories.make_user(role="staff"))
    assert not decision and values is None and CredentialView.select().count() == 0


def test_destroyed_credentials_cannot_be_revealed(ticket, customer, agent):
    credential = credentials.store_credentials(ticket, customer, "ID-1", "s3cret-Pa55", "")
    assert credentials.destroy_for_ticket(ticket) == 1
    with pytest.raises(ServiceError, match="destroyed"):
        credentials.reveal(Credential.get_by_id(credential.id), agent)
