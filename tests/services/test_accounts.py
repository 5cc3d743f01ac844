"""Account use cases: register, verify, reset a password."""
import pytest

from portal.models import User
from portal.services import accounts
from portal.services.errors import Conflict, FieldError
from tests import factories


def test_register_makes_an_unverified_customer(ctx):
    user = accounts.register("New.Person@Example.test", factories.PASSWORD, "New Person")
    stored = User.get_by_id(user.id)
    assert (stored.email, stored.role, stored.verified_at) == ("new.person@example.test", "customer", None)


def test_registering_a_taken_address_says_nothing(ctx):
    accounts.register("taken@example.test", factories.PASSWORD)
    assert accounts.register("taken@example.test", factories.PASSWORD) is None
    assert User.select().count() == 1


def test_a_weak_password_is_refused(ctx):
    with pytest.raises(FieldError) as refused:
        accounts.register("weak@example.test", "short")
    assert refused.value.field == "password" and User.select().count() == 0


def test_verifying_ends_earlier_sessions(ctx):
    user = factories.make_user(verified=False)
    verified = accounts.mark_verified(user)
    assert verified.verified_at is not None and verified.session_version == user.session_version + 1


def test_a_reset_link_works_once(ctx):
    user = factories.make_user()
    accounts.set_password(user, "a new long passphrase", replacing=user.password_hash)
    assert accounts.authenticate(user.email, "a new long passphrase").id == user.id
    with pytest.raises(Conflict) as used:
        accounts.set_password(user, "another long passphrase", replacing=user.password_hash)
    assert (used.value.message, used.value.status) == ("This link has already been used. Ask for a new one.", 400)
    assert accounts.authenticate(user.email, "another long passphrase") is None
