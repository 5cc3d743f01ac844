"""The support policy as pure rules: no Flask, no peewee, nothing else from portal.

    from portal.policy import load_policy
    policy = load_policy()   # default.toml, or $PORTAL_POLICY_FILE
"""
from .access import REVEAL_STATUSES, SessionFacts, TicketFacts, effective_level
from .clock import BusinessClock
from .core import Policy
from .decisions import Decisions
from .durations import format_business_duration, format_hours
from .eligibility import AccountFacts, Decision
from .levels import LEVELS, LevelDecision, LicenseFacts
from .loader import DEFAULT_PATH, PolicyError, load_policy, parse_policy
from .partners import (TICKET_LEVEL_RULES, VISIBILITY, PartnerRules, can_see_partner_ticket,
                       partner_ticket_level)
from .rank import CHANNELS
from .scope import Scope, ScopeClass
from .versions import Version, VersionError, VersionVerdict, parse_version
from .wording import date_text, time_left_text

__all__ = [
    "AccountFacts", "BusinessClock", "CHANNELS", "DEFAULT_PATH", "Decision", "Decisions", "LEVELS",
    "LevelDecision", "LicenseFacts", "PartnerRules", "Policy", "PolicyError", "REVEAL_STATUSES", "Scope",
    "ScopeClass", "SessionFacts", "TICKET_LEVEL_RULES", "TicketFacts", "VISIBILITY", "Version", "VersionError",
    "VersionVerdict", "can_see_partner_ticket", "date_text", "effective_level", "format_business_duration",
    "format_hours", "load_policy", "parse_policy", "parse_version", "partner_ticket_level", "time_left_text",
]
