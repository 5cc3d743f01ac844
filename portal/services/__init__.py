"""Use cases: load, ask the policy, write inside one transaction."""
from flask import current_app


def get_policy():
    """The policy bound to the running app."""
    return current_app.extensions["policy"]
