"""Licenses and support levels (policy 2.1, 2.2, 3.4, 4.5)."""
from portal import timeutil
from portal.db import utcnow, write_tx
from portal.models import License, Order, Thread, Ticket, User
from portal.policy import LicenseFacts
from portal.services import get_policy


class LicenseError(Exception):
    """A license key that cannot be bound, with a message for the user."""


def license_facts(user):
    """The user's licenses as the policy's plain facts."""
    return [LicenseFacts(key=lic.key, type=lic.type, purchased_on=lic.purchased_on,
                         expires_on=lic.expires_on) for lic in License.for_user(user)]


def refresh_level(user):
    """Recompute the account's level; an upgrade re-prioritises open requests (policy 2.2)."""
    policy = get_policy()
    decision = policy.resolve_level(license_facts(user), user.role == "reseller",
                                    timeutil.now().astimezone(policy.zone).date())
    old = user.level
    with write_tx():
        User.update(level=decision.level, level_reason=decision.reason).where(User.id == user.id).execute()
        upgrade = policy.rank_band("ticket", decision.level) < policy.rank_band("ticket", old)
        if upgrade and policy.decisions.reprioritise_on_upgrade:
            _regrade_open_requests(user, decision.level)
    user.level, user.level_reason = decision.level, decision.reason
    return decision


def _regrade_open_requests(user, level):
    """policy 2.2 Decision: due = min(old due, upgrade time + new target); never later."""
    policy, now = get_policy(), timeutil.now()
    tickets = Ticket.select().where((Ticket.requester == user) & Ticket.status.in_(("open", "waiting")))
    for ticket in tickets:
        due = policy.regrade_due(timeutil.aware(ticket.due_at), now, level)
        Ticket.update(level=level, rank_band=policy.rank_band("ticket", level),
                      due_at=timeutil.stored(due)).where(Ticket.id == ticket.id).execute()
    threads = Thread.select().where((Thread.author == user) & Thread.awaiting_staff & Thread.due_at.is_null(False))
    for thread in threads:
        due = policy.regrade_due(timeutil.aware(thread.due_at), now, level)
        Thread.update(level=level, rank_band=policy.rank_band("forum", level),
                      due_at=timeutil.stored(due)).where(Thread.id == thread.id).execute()


def attach_by_email(user):
    """policy 4.5: a verified account gets the unbound licenses of orders delivered to its email."""
    if not user.verified and get_policy().decisions.recognise_only_verified:
        return 0
    with write_tx():
        orders = Order.select(Order.id).where(Order.delivery_email == user.email)
        count = (License.update(user=user, bound_at=utcnow())
                 .where(License.order.in_(orders) & License.user.is_null())
                 .execute())
    refresh_level(user)
    return count


def bind_key(user, key):
    """policy 4.5: bind a license key to this account, once; LicenseError when it cannot be."""
    key = (key or "").strip().upper()
    if not key:
        raise LicenseError("Enter the license key from your order email.")
    with write_tx():
        lic = License.get_or_none(License.key == key)
        if lic is None:
            raise LicenseError("We do not know this license key. Check it against your order email.")
        if lic.user_id == user.id:
            raise LicenseError("This license key is already on your account.")
        if lic.user_id is not None:
            raise LicenseError("This license key is already bound to another account. "
                               "Contact support if you believe that is wrong.")
        updated = (License.update(user=user, bound_at=utcnow())
                   .where((License.id == lic.id) & License.user.is_null()).execute())
        if updated != 1:
            raise LicenseError("This license key is already bound to another account.")
    return refresh_level(user)
