"""Licenses and support levels (policy 2.1, 2.2, 3.4, 4.5)."""
from peewee import JOIN

from portal import prepared
from portal.db import lock_for_update, utcnow, write_tx
from portal.models import License, Order, Thread, Ticket, User
from portal.policy import LicenseFacts
from portal.policy.levels import mask_key
from portal.services import get_policy
from portal.services.errors import FieldError


CANNOT_ADD = ("We cannot add this key. Check it against your order email, "
              "or contact support if it is yours.")


def masked_key(key):
    """A license key as pages show it, masked but for its last block ('...-9ZT3'): the policy's
    mask_key, the form the level reasons name a customer's license in (policy 2.1)."""
    return mask_key(key) if key else ""


def is_current(lic, now=None):
    """Whether a license is valid on the policy's date (policy 2.1): bought on or before it and not
    yet expired (`expires_on` is the first day it no longer is)."""
    policy = get_policy()
    facts = LicenseFacts(key=lic.key, type=lic.type, purchased_on=lic.purchased_on, expires_on=lic.expires_on)
    return facts.is_active(policy.local_date(now or utcnow()))


def license_facts(user):
    """The user's licenses as the policy's plain facts."""
    return [LicenseFacts(key=lic.key, type=lic.type, purchased_on=lic.purchased_on,
                         expires_on=lic.expires_on)
            for lic in prepared.rows("licenses of a user", License.for_user, user.id)]


def refresh_level(user):
    """Recompute the account's level; an upgrade re-prioritises open requests (policy 2.2)."""
    return _refresh(user)[0]


def current_level(user):
    """The account's level as of today (licenses expire and start: policy 2.1, 3.4), refreshed first."""
    return refresh_level(user).level


def refresh_all():
    """Refresh every customer and reseller account (a daily job); (accounts seen, levels changed)."""
    ids = [u.id for u in User.select(User.id).where(User.role.in_(("customer", "reseller"))).order_by(User.id)]
    changed = 0
    for user_id in ids:
        user = User.get_or_none(User.id == user_id)
        if user is not None:
            changed += _refresh(user)[1]
    return len(ids), changed


def _level_and_licenses(user_id):
    # the account's level and its licenses in one statement: a round trip less on every filing
    return (User.select(User.role, User.level, User.level_reason, License.key, License.type,
                        License.purchased_on, License.expires_on)
            .join(License, JOIN.LEFT_OUTER, on=(License.user == User.id))
            .where(User.id == user_id)
            .order_by(License.purchased_on.desc())
            .tuples())


def _refresh(user):
    """(decision, level changed?): the old level and the licenses are read inside the write
    transaction, so two refreshes (or a refresh and a key binding) cannot both see the old level."""
    policy = get_policy()
    today = policy.local_date(utcnow())
    # the usual case, nothing changed, needs no write transaction (on SQLite the one writer lock,
    # taken on every ticket filed): read first, and write only when the level or reason moved
    found = prepared.rows("level and licenses of a user", _level_and_licenses, user.id)
    if not found:
        raise User.DoesNotExist(f"user {user.id}")
    role, level, reason = found[0][:3]
    facts = [LicenseFacts(key=key, type=kind, purchased_on=bought, expires_on=ends)
             for *_, key, kind, bought, ends in found if key is not None]
    decision = policy.resolve_level(facts, role == "reseller", today)
    if (decision.level, decision.reason) == (level, reason):
        user.level, user.level_reason = decision.level, decision.reason
        return decision, False
    with write_tx():
        row = lock_for_update(User.select(User.role, User.level, User.level_reason)
                              .where(User.id == user.id)).get()
        decision = policy.resolve_level(license_facts(user), row.role == "reseller", today)
        if (decision.level, decision.reason) != (row.level, row.level_reason):
            (User.update(level=decision.level, level_reason=decision.reason)
             .where(User.id == user.id).execute())
        upgrade = policy.rank_band("ticket", decision.level) < policy.rank_band("ticket", row.level)
        if upgrade and policy.decisions.reprioritise_on_upgrade:
            _regrade_open_requests(user, decision.level)
    user.level, user.level_reason = decision.level, decision.reason
    return decision, decision.level != row.level


def _regrade_open_requests(user, level):
    """policy 2.2 Decision: due = min(old due, upgrade time + new target); never later."""
    policy, now = get_policy(), utcnow()
    tickets = Ticket.select().where((Ticket.requester == user) & Ticket.status.in_(("open", "waiting")))
    for ticket in tickets:
        Ticket.update(level=level, rank_band=policy.rank_band("ticket", level),
                      due_at=policy.regrade_due(ticket.due_at, now, level)).where(Ticket.id == ticket.id).execute()
    threads = Thread.select().where((Thread.author == user) & Thread.awaiting_staff & Thread.due_at.is_null(False))
    for thread in threads:
        Thread.update(level=level, rank_band=policy.rank_band("forum", level),
                      due_at=policy.regrade_due(thread.due_at, now, level)).where(Thread.id == thread.id).execute()


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
    """policy 4.5: bind a license key to this account, once; FieldError("key", why) when it cannot be."""
    key = (key or "").strip().upper()
    if not key:
        raise FieldError("key", "Enter the license key from your order email.")
    with write_tx():
        lic = License.get_or_none(License.key == key)
        if lic is not None and lic.user_id == user.id:
            raise FieldError("key", "This license key is already on your account.")
        # one answer for an unknown key and another account's key, so keys cannot be enumerated
        if lic is None or lic.user_id is not None:
            raise FieldError("key", CANNOT_ADD)
        updated = (License.update(user=user, bound_at=utcnow())
                   .where((License.id == lic.id) & License.user.is_null()).execute())
        if updated != 1:
            raise FieldError("key", CANNOT_ADD)
    return refresh_level(user)
