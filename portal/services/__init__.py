"""Use cases: load, ask the policy, write inside one transaction. No Flask in here:
settings, the policy and mail come from `runtime.current()`; refusals are `errors.ServiceError`."""
from portal.services import runtime


def get_policy():
    """The policy of the running app or script."""
    return runtime.current().policy


def setting(name, default=None):
    """One of the settings the app was built with (UPLOAD_DIR, BASE_URL, ...)."""
    return runtime.current().setting(name, default)
