"""Support levels and how an account's level is resolved from its licenses (policy 2.1, 2.2, 3.4, 4.5)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

# Rank order, best first (policy 2.1 table; RESELLER band between STARTER and FREE, 3.4 Decision).
LEVELS: tuple[str, ...] = ("SITE", "PRO", "PLUS", "STARTER", "RESELLER", "FREE", "TRIAL")
LICENSE_TYPES: tuple[str, ...] = ("SITE", "PRO", "PLUS", "STARTER", "TRIAL")
PAID_TYPES: tuple[str, ...] = ("SITE", "PRO", "PLUS", "STARTER")


@dataclass(frozen=True)
class LicenseFacts:
    """A license as the policy sees it; expires_on is the first day it is no longer valid (None: never)."""

    key: str
    type: str
    purchased_on: date
    expires_on: date | None = None

    def is_active(self, today: date) -> bool:
        """True when bought on or before today and not yet expired."""
        return self.purchased_on <= today and (self.expires_on is None or today < self.expires_on)


@dataclass(frozen=True)
class LevelDecision:
    """The support level an account gets, why (in words), and which license gave it."""

    level: str
    reason: str
    license_key: str | None = None


def check_level(level: str) -> str:
    """Return level unchanged, or raise ValueError naming the allowed levels."""
    if level not in LEVELS:
        raise ValueError(f"unknown support level {level!r}; allowed: {', '.join(LEVELS)}")
    return level


def mask_key(key: str) -> str:
    """Show only the last four characters of a license key: '...-7K2Q'."""
    return f"...-{key[-4:]}"


def _sort_key(lic: LicenseFacts) -> tuple:
    # Best type first; among equals, the one that lasts longest, then by key for stability.
    never = date.max
    return (LEVELS.index(lic.type), -(lic.expires_on or never).toordinal(), lic.key)


def resolve_level(licenses: Iterable[LicenseFacts], is_reseller: bool, today: date) -> LevelDecision:
    """The account's level: best active license, RESELLER band for partners, else FREE (policy 2.1, 3.4)."""
    licenses = list(licenses)
    for lic in licenses:
        if lic.type not in LICENSE_TYPES:
            raise ValueError(f"unknown license type {lic.type!r}; allowed: {', '.join(LICENSE_TYPES)}")
    active = sorted((lic for lic in licenses if lic.is_active(today)), key=_sort_key)
    best = active[0] if active else None
    reseller_rank = LEVELS.index("RESELLER")
    if best is not None and (not is_reseller or LEVELS.index(best.type) < reseller_rank):
        note = " (better than the partner account's RESELLER level)" if is_reseller else ""
        return LevelDecision(best.type, f"{best.type} through license {mask_key(best.key)}{note}", best.key)
    if is_reseller:  # policy 3.4 Decision: resellers rank above FREE and TRIAL
        return LevelDecision("RESELLER", "RESELLER: partner account", None)
    expired = [lic for lic in licenses if lic.expires_on is not None and lic.expires_on <= today]
    if expired:
        # Name the best license that lapsed, the most recent one among equals.
        lapsed = min(expired, key=lambda x: (LEVELS.index(x.type), -x.expires_on.toordinal()))
        return LevelDecision(
            "FREE",
            f"FREE: license {mask_key(lapsed.key)} ({lapsed.type}) expired on {lapsed.expires_on.isoformat()}",
            None,
        )
    if licenses:  # only licenses bought for a later date
        return LevelDecision("FREE", "FREE: no license on this account is active yet", None)
    return LevelDecision("FREE", "FREE: no license on this account", None)
