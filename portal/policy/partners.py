"""Partner tickets: who of a partner sees them, and the level they are filed at (policy 3.1, 3.4, 2.1);
how a license a partner sold stands (current, expiring, expired).

The first two are Decisions, set in the policy file's `[partners]` table (docs/policy.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .eligibility import Decision
from .levels import LEVELS, LICENSE_TYPES, LevelDecision, check_level

# policy 3.1 Decision: "all" members see every ticket of their partner, "managers" see all and
# members their own, "own" everyone only their own
VISIBILITY = ("all", "managers", "own")
# policy 3.1 Decision: "better_of" the reseller band (3.4) and a current end-customer license (2.1),
# or always the "band"
TICKET_LEVEL_RULES = ("better_of", "band")


@dataclass(frozen=True)
class PartnerRules:
    """The `[partners]` table; the defaults are docs/support-policy.md's Decisions."""
    visibility: str = "all"
    ticket_level: str = "better_of"


def parse_partners(table: dict, fail) -> PartnerRules:
    """Validate the [partners] table (every key optional); `fail(key, reason)` raises."""
    choices = {"visibility": VISIBILITY, "ticket_level": TICKET_LEVEL_RULES}
    for key in sorted(set(table) - set(choices)):
        fail(f"partners.{key}", "unknown key")
    for key, value in table.items():
        if value not in choices[key]:
            fail(f"partners.{key}", f"must be one of {', '.join(choices[key])}")
    return PartnerRules(**table)


def can_see_partner_ticket(viewer_partner_id: int | None, viewer_role: str | None, viewer_id: int | None,
                           ticket_partner_id: int | None, ticket_filer_id: int | None,
                           visibility: str) -> Decision:
    """May a member of a partner see one of its tickets? Never a ticket of another partner, nor
    one that belongs to no partner (the requester rule of policy 4.1 covers those) (policy 3.1)."""
    if visibility not in VISIBILITY:
        raise ValueError(f"unknown partner visibility {visibility!r}; allowed: {', '.join(VISIBILITY)}")
    if ticket_partner_id is None or viewer_partner_id is None or viewer_partner_id != ticket_partner_id:
        return Decision(False, "3.1", "Only members of the partner that filed a ticket may see it.")
    if viewer_id is not None and viewer_id == ticket_filer_id:
        return Decision(True, "3.1", "You filed this ticket for your partner.")
    if visibility == "all":
        return Decision(True, "3.1", "Every member of the partner sees its tickets.")
    if visibility == "managers" and viewer_role == "manager":
        return Decision(True, "3.1", "Managers of the partner see all of its tickets.")
    who = "managers and the member who filed it" if visibility == "managers" else "the member who filed it"
    return Decision(False, "3.1", f"Only the partner's {who} may see this ticket.")


def masked_license(key: str) -> str:
    """A license key with its first and last blocks only: 'RUPRO-...-9ZT3'."""
    first, _, rest = key.partition("-")
    return f"{first}-...-{key[-4:]}" if rest else f"...-{key[-4:]}"


def partner_ticket_level(band: str, license_tier: str | None, license_current: bool, rule: str,
                         license_key: str | None = None) -> LevelDecision:
    """The level a partner ticket is filed at, with the reason in words (policy 3.1, 3.4, 2.1).

    `band` is the reseller band (RESELLER, policy 3.4); `license_tier` the type of the end
    customer's license the ticket is for (None: none given) and `license_current` whether it is
    valid today. With "better_of" a current license better than the band gives its level (2.1);
    an expired one, or "band", gives the band."""
    check_level(band)
    if rule not in TICKET_LEVEL_RULES:
        raise ValueError(f"unknown partner ticket level rule {rule!r}; allowed: {', '.join(TICKET_LEVEL_RULES)}")
    if license_tier is not None and license_tier not in LICENSE_TYPES:
        raise ValueError(f"unknown license type {license_tier!r}; allowed: {', '.join(LICENSE_TYPES)}")
    named = f"the end customer's license {masked_license(license_key)}" if license_key else "the end customer's license"
    if license_tier is None:
        return LevelDecision(band, f"{band}: partner ticket (the reseller band)")
    if rule == "band":
        return LevelDecision(band, f"{band}: partner tickets always take the reseller band")
    if not license_current:
        return LevelDecision(band, f"{band}: {named} is not current, so the reseller band applies")
    if LEVELS.index(license_tier) < LEVELS.index(band):
        return LevelDecision(license_tier, f"{license_tier}: {named} is current", license_key)
    return LevelDecision(band, f"{band}: the reseller band ranks above {named} ({license_tier})")


# policy 3.1: a partner renews the licenses it sold; a month's notice is time to sell the renewal
# before the end customer's license, and the level it gives their tickets (2.1), lapses
EXPIRING_DAYS = 30
LICENSE_STATES = ("current", "expiring", "expired", "not_started")


def license_state(purchased_on: date, expires_on: date | None, today: date, window: int = EXPIRING_DAYS) -> str:
    """How a license a partner sold stands today (policy 3.1, 2.1): "expired" from its expiry date
    on (the first day it is no longer valid), "expiring" when that day is at most `window` days
    away, "not_started" before its purchase date, else "current" (also when it never expires)."""
    if purchased_on > today:
        return "not_started"
    if expires_on is None:
        return "current"
    days_left = (expires_on - today).days
    if days_left <= 0:
        return "expired"
    return "expiring" if days_left <= window else "current"
