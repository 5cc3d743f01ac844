"""Partner organisations (policy 3.1 Decision): admins create a partner with its first manager;
managers remove members and change roles. A partner always keeps at least one manager.

Every change to a partner's membership runs in one write transaction that first locks the
partner's row (`locked_partner`): on PostgreSQL `SELECT ... FOR UPDATE`, on SQLite the
IMMEDIATE transaction. So two managers demoting each other at once are served one after the
other, and the second sees that it would leave no manager. Invitations: `partner_invites`.
"""
import re

from peewee import IntegrityError, fn

from portal.db import lock_for_update, utcnow, write_tx
from portal.models import PARTNER_ROLES, License, Order, Partner, Ticket, User
from portal.passwords import hash_password
from portal.services import accounts, audit, get_policy, partner_tickets
from portal.services.errors import Conflict, FieldError, NotFound
from portal.services.paging import page_of

NAME_MAX, NUMBER_MAX = Partner.name.max_length, Partner.number.max_length
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
PAGE_SIZE = 50
OPEN = ("open", "waiting")
LAST_MANAGER = "A partner keeps at least one manager: make another member a manager first."
ROLE_CHOICE = f"Choose a role: {' or '.join(PARTNER_ROLES)}."


# -- reads ----------------------------------------------------------------------------------

def member_partner(user):
    """The partner `user` is a member of (manager or member), or NotFound: the partner's own pages
    (its licenses) do not exist for anyone else, a reseller without a partner included."""
    if user is None or not getattr(user, "is_reseller", False) or user.partner_id is None:
        raise NotFound("That page")
    partner = Partner.get_or_none(Partner.id == user.partner_id)
    if partner is None:
        raise NotFound("That page")
    return partner


def managed_partner(user):
    """The partner `user` manages, or NotFound: the managing pages do not exist for anyone else."""
    if user is None or not getattr(user, "is_partner_manager", False):
        raise NotFound("That page")
    return member_partner(user)


def visible_tickets(user, partner):
    """The tickets of `partner` that `user`, one of its members, may see (policy 3.1): exactly the
    ones their Partner Area list shows (`partner_tickets.visible_to`, `[partners] visibility`)."""
    return Ticket.select().where(partner_tickets.visible_to(user) & (Ticket.partner == partner))


def members(partner):
    """The partner's active member accounts, managers first, then by email."""
    return list(User.select()
                .where((User.partner == partner) & (User.role == "reseller") & User.is_active_account)
                .order_by(User.partner_role, User.email))


def overview(page=1):
    """A page of partners for the admin list: each with `member_count`, `license_count` (licenses
    of the orders it bought) and `open_count` (its open tickets)."""
    member_count = (User.select(fn.COUNT(User.id))
                    .where((User.partner == Partner.id) & User.is_active_account))
    license_count = (License.select(fn.COUNT(License.id)).join(Order, on=(License.order == Order.id))
                     .where(Order.partner == Partner.id))
    open_count = (Ticket.select(fn.COUNT(Ticket.id))
                  .where((Ticket.partner == Partner.id) & Ticket.status.in_(OPEN)))
    query = (Partner.select(Partner, member_count.alias("member_count"), license_count.alias("license_count"),
                            open_count.alias("open_count"))
             .order_by(Partner.name, Partner.id))
    return page_of(query, page, PAGE_SIZE)


def managers_by_partner(partner_ids):
    """{partner id: [its active managers, by email]} for the admin list, in one query."""
    found = {pid: [] for pid in partner_ids}
    query = (User.select().where(User.partner.in_(list(found)) & (User.partner_role == "manager")
                                 & User.is_active_account).order_by(User.email))
    for user in query if found else ():
        found[user.partner_id].append(user)
    return found


# -- the transaction's guard ----------------------------------------------------------------

def locked_partner(actor):
    """Inside write_tx(): the partner `actor` manages, its row locked, read after the lock so the
    actor's role is the committed one; NotFound when the actor is (no longer) its manager."""
    partner_id = User.select(User.partner).where(User.id == actor.id).scalar()
    partner = lock_for_update(Partner.select().where(Partner.id == partner_id)).first() if partner_id else None
    fresh = User.get_or_none(User.id == actor.id)
    if partner is None or fresh is None or fresh.partner_id != partner.id or not fresh.is_partner_manager \
            or not fresh.is_active:
        raise NotFound("That page")
    return partner


def _member(partner, member_id):
    member = User.get_or_none((User.id == member_id) & (User.partner == partner) & (User.role == "reseller")
                              & User.is_active_account)
    if member is None:
        raise NotFound("That member")
    return member


def _keeps_a_manager(partner, member):
    """Whether the partner has a manager besides `member` (asked with the partner's row locked)."""
    return (User.select().where((User.partner == partner) & (User.partner_role == "manager")
                                & (User.id != member.id) & User.is_active_account).exists())


# -- admins ---------------------------------------------------------------------------------

def _clean_partner(name, number):
    name, number = " ".join((name or "").split()), (number or "").strip().upper()
    if not name:
        raise FieldError("company", "Give the partner's company name.")
    if len(name) > NAME_MAX:
        raise FieldError("company", f"Keep the company name to {NAME_MAX} characters.")
    if not number or len(number) > NUMBER_MAX or not NUMBER_RE.match(number):
        raise FieldError("number", f"A partner number is up to {NUMBER_MAX} letters, digits and dashes, "
                                   "like P-1001.")
    return name, number


def reseller_level():
    """(level, reason) of a new reseller account without licenses: the reseller band (policy 3.4)."""
    today = get_policy().local_date(utcnow())
    decision = get_policy().resolve_level([], True, today)
    return decision.level, decision.reason


def create_partner(actor, company, number, email, manager_name="", password=None):
    """Create a partner with its first manager: a new reseller account (with this initial
    password) or an existing reseller that belongs to no partner yet (policy 3.1). Refusals
    name the field: company, number, email, name (the manager's) or password."""
    name, number = _clean_partner(company, number)
    email, manager_name = accounts.normalise_email(email), accounts.clean_name(manager_name)
    existing = User.by_email(email)
    if existing is None:
        if not password:
            raise FieldError("password", "Give the new manager account an initial password.")
        accounts.check_new_password(password)
        hashed = hash_password(password)  # slow: before the write lock
    elif existing.role != "reseller":
        raise FieldError("email", f"This address has a {existing.role} account; only a reseller account "
                                  "can manage a partner.")
    elif existing.partner_id is not None:
        raise FieldError("email", "This reseller account already belongs to a partner.")
    try:
        with write_tx():
            if Partner.select().where(Partner.number == number).exists():
                raise FieldError("number", f"Partner number {number} is already taken.")
            partner = Partner.create(name=name, number=number, created_at=utcnow())
            if existing is None:
                level, reason = reseller_level()
                manager = User.create(email=email, password_hash=hashed, role="reseller",
                                      display_name=manager_name, verified_at=utcnow(), level=level,
                                      level_reason=reason, partner=partner, partner_role="manager")
            else:
                joined = (User.update(partner=partner, partner_role="manager")
                          .where((User.id == existing.id) & User.partner.is_null() & (User.role == "reseller"))
                          .execute())
                if not joined:
                    raise Conflict("This reseller account joined another partner meanwhile.")
                manager = existing
            audit.record(actor, "partner.create", "partner", partner.id,
                         f"{name} ({number}), first manager {manager.email}")
    except IntegrityError:  # a partner number or an account taken between the checks and the write
        if Partner.select().where(Partner.number == number).exists():
            raise FieldError("number", f"Partner number {number} is already taken.") from None
        raise FieldError("email", "An account with this email already exists.") from None
    return partner


# -- managers -------------------------------------------------------------------------------

def change_role(actor, member_id, role):
    """Make a member a manager or a manager a member; the last manager stays one."""
    if role not in PARTNER_ROLES:
        raise FieldError("role", ROLE_CHOICE)
    with write_tx():
        partner = locked_partner(actor)
        member = _member(partner, member_id)
        if member.partner_role == role:
            return member
        if member.partner_role == "manager" and not _keeps_a_manager(partner, member):
            raise Conflict(LAST_MANAGER)
        User.update(partner_role=role).where(User.id == member.id).execute()
        audit.record(actor, "partner.role", "partner", partner.id, f"{member.email}: {member.partner_role} → {role}")
    return User.get_by_id(member.id)


def remove_member(actor, member_id):
    """Remove a member: the account is closed and every session of it ends at once; the tickets
    it filed stay with the partner (policy 3.1 Decision). The last manager cannot be removed."""
    with write_tx():
        partner = locked_partner(actor)
        member = _member(partner, member_id)
        if member.partner_role == "manager" and not _keeps_a_manager(partner, member):
            raise Conflict(LAST_MANAGER)
        (User.update(partner=None, partner_role=None, is_active_account=False,
                     session_version=User.session_version + 1)
         .where((User.id == member.id) & (User.partner == partner)).execute())
        audit.record(actor, "partner.remove", "partner", partner.id, f"removed {member.email} ({member.partner_role})")
    return member

