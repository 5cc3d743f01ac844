"""What the policy needs to know about an account, as plain facts."""
from portal.policy import AccountFacts


def account_facts(user):
    """AccountFacts for a user (or for an anonymous visitor)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AccountFacts(role="anonymous", level=None, verified=False)
    return AccountFacts(role=user.role, level=user.level, verified=user.verified, user_id=user.id)
