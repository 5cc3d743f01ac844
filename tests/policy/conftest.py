import pytest

from portal.policy import DEFAULT_PATH, load_policy


@pytest.fixture(scope="session")
def policy():
    """The bundled default policy, whatever PORTAL_POLICY_FILE says."""
    return load_policy(DEFAULT_PATH)
