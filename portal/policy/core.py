"""The Policy object: the loaded policy data plus every rule the portal asks about."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from . import access, eligibility, partners as partner_rules, rank
from .access import SessionFacts, TicketFacts
from .clock import BusinessClock, hours_text
from .decisions import Decisions
from .durations import require_aware
from .eligibility import AccountFacts, Decision
from .levels import LevelDecision, LicenseFacts, check_level, resolve_level
from .mail_rules import MailRules
from .partners import PartnerRules
from .scope import Scope
from .versions import VersionVerdict, judge_version
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .wording import span_clock_text, time_text, zoned_time_text


class Policy:
    """One version of the support policy; build it with load_policy() rather than directly."""

    def __init__(self, *, version: str, clock: BusinessClock, zone_label: str, at_risk_threshold: float,
                 labels: dict, priorities: dict, targets: dict, channels: dict, remote_levels: tuple,
                 scope: Scope, english_only_reply: str, source: str = "<policy>",
                 decisions: Decisions = Decisions(), partners: PartnerRules = PartnerRules(),
                 mail: MailRules = MailRules()):
        self.version = version  # policy 1.4: recorded on each ticket
        self.clock = clock
        self.zone = clock.zone
        self.zone_label = zone_label
        self.at_risk_threshold = at_risk_threshold
        self.labels = dict(labels)
        self.priorities = dict(priorities)
        self.targets = {level: timedelta(hours=hours) for level, hours in targets.items()}
        self.channel_matrix = dict(channels)
        self.remote_levels = tuple(remote_levels)
        self.scope = scope
        self.english_only_reply = english_only_reply
        self.source = source
        self.decisions = decisions  # the product's readings where the policy is silent
        self.partners = partners    # policy 3.1 Decisions: partner ticket visibility and level
        self.mail = mail            # policy 4.3 Decisions: mail to the support address

    def __repr__(self) -> str:
        return f"<Policy {self.version} from {self.source}>"

    def hours_text(self) -> str:
        """Support hours in words from the clock, e.g. '08:00–17:00 Pacific time (PT), Monday to Friday' (policy 1.5).
        Worded once per clock and zone label: every page's footer shows it."""
        kept = self.__dict__.get("_hours_text")
        if kept is None or kept[0] is not self.clock or kept[1] != self.zone_label:
            kept = self._hours_text = (self.clock, self.zone_label, hours_text(self.clock, self.zone_label))
        return kept[2]

    def local_date(self, at: datetime) -> date:
        """The calendar date in the policy's zone at a moment: licenses start and expire by it (policy 2.1)."""
        return require_aware(at, "at").astimezone(self.zone).date()

    def time_text(self, at: datetime | None) -> str:
        """A moment in the policy's zone, e.g. 'Tue 18 Mar 2031 09:30 PT', as every page writes it (policy 1.5)."""
        return time_text(at, self.zone, self.zone_label)

    def zone_named(self, name: str | None) -> ZoneInfo:
        """A person's IANA zone by name; the policy's own zone for an empty or unknown name."""
        try:
            return ZoneInfo(name) if name else self.zone
        except (ZoneInfoNotFoundError, ValueError):
            return self.zone

    def time_text_for(self, at: datetime | None, zone_name: str | None) -> str:
        """A moment for a person in their own zone, the policy's time beside it when different:
        'Tue 18 Mar 2031 18:30 CET (09:30 PT)' (policy 1.5: support works in Pacific time)."""
        return zoned_time_text(at, self.zone_named(zone_name), self.zone, self.zone_label)

    def span_text_for(self, start: datetime, end: datetime, zone_name: str | None) -> tuple[str, str]:
        """A session's clock times for a person and in the policy's zone: ('10:00–10:30 CET', '01:00–01:30 PT')."""
        return span_clock_text(start, end, self.zone_named(zone_name), self.zone, self.zone_label)

    # -- levels (policy 2.1, 2.2, 3.4) ---------------------------------------------------
    def target(self, level: str) -> timedelta:
        """The first-response target for a level, in business time (policy 2.1, 3.4)."""
        return self.targets[check_level(level)]

    def level_label(self, level: str) -> str:
        """A level's display name, e.g. 'Pro'."""
        return self.labels[check_level(level)]

    def channels(self, level: str) -> tuple[str, ...]:
        """The channels a level may use, in rank order (policy 2.1 Decision, 3.2)."""
        return self.channel_matrix[check_level(level)]

    def resolve_level(self, licenses: Iterable[LicenseFacts], is_reseller: bool, today: date) -> LevelDecision:
        """The support level an account gets from its licenses (policy 2.1, 3.4, 4.5)."""
        return resolve_level(licenses, is_reseller, today)

    def first_response_due(self, opened_at: datetime, level: str) -> datetime:
        """When the first response is due: opened_at plus the level's target in business time (policy 2.1)."""
        require_aware(opened_at, "opened_at")
        return self.clock.add_business_time(opened_at, self.target(level))

    def regrade_due(self, old_due: datetime, changed_at: datetime, new_level: str) -> datetime:
        """An open request's due time after a level change: never later, earlier on upgrade (policy 2.2)."""
        require_aware(old_due, "old_due")
        return min(old_due.astimezone(self.zone), self.first_response_due(changed_at, new_level))

    # -- eligibility (policy 2.1, 3.2, 3.3, 4.4, 8.2) -------------------------------------
    def may_open_ticket(self, acct: AccountFacts) -> Decision:
        """May this account file a ticket? (policy 4.4, 2.1, 3.2)"""
        return eligibility.may_open_ticket(acct, self.channels)

    def may_post_forum(self, acct: AccountFacts) -> Decision:
        """May this account post in the community forum? (policy 4.4, 3.2)"""
        return eligibility.may_post_forum(acct, self.channels)

    def may_see_forum(self, acct: AccountFacts) -> Decision:
        """May this account see the forum at all? (policy 4.1, 3.2 Decision)"""
        return eligibility.may_see_forum(acct, self.channels)

    def may_request_remote(self, acct: AccountFacts) -> Decision:
        """May this account ask for a remote session? (policy 8.2, 3.3)"""
        return eligibility.may_request_remote(acct, self.remote_levels)

    # -- access to tickets, credentials and bug records (policy 2.1, 4.1, 5.3, 8.2, 8.5) ----
    @staticmethod
    def effective_level(level: str | None) -> str:
        """The level a request is filed at: an unknown or missing level counts as FREE (policy 2.1)."""
        return access.effective_level(level)

    @staticmethod
    def may_see_ticket(viewer: AccountFacts, requester_id: int) -> Decision:
        """May this account see a ticket? Its requester and staff only (policy 4.1, 8.5)."""
        return access.may_see_ticket(viewer, requester_id)

    @staticmethod
    def may_reveal_credentials(viewer: AccountFacts, session: SessionFacts | None, destroyed: bool) -> Decision:
        """May this account see a credential's values? Only the assigned agent of an active session (policy 8.5)."""
        return access.may_reveal_credentials(viewer, session, destroyed)

    def may_submit_credentials(self, submitter: AccountFacts, ticket: TicketFacts) -> Decision:
        """May this account send credentials for a ticket? Requester, open ticket, remote allowed (policy 8.5, 8.2)."""
        return access.may_submit_credentials(submitter, ticket, self.remote_levels)

    @staticmethod
    def may_record_bug(workaround: str) -> Decision:
        """May a bug be recorded with this workaround text? Not without one (policy 5.3)."""
        return access.may_record_bug(workaround)

    # -- partners (policy 3.1, 3.4, 2.1) -------------------------------------------------
    def can_see_partner_ticket(self, viewer_partner_id, viewer_role, viewer_id, ticket_partner_id,
                               ticket_filer_id) -> Decision:
        """May a partner member see one of the partner's tickets, as `[partners] visibility` says (policy 3.1)."""
        return partner_rules.can_see_partner_ticket(viewer_partner_id, viewer_role, viewer_id, ticket_partner_id,
                                                    ticket_filer_id, self.partners.visibility)

    def partner_ticket_level(self, license_tier: str | None, license_current: bool,
                             license_key: str | None = None) -> LevelDecision:
        """A partner ticket's level: the reseller band (3.4) or, as `[partners] ticket_level` says,
        the end customer's current license when better (2.1) (policy 3.1)."""
        return partner_rules.partner_ticket_level("RESELLER", license_tier, license_current,
                                                  self.partners.ticket_level, license_key)

    # -- queue (policy 4.6, 2.1, 3.4) -----------------------------------------------------
    def rank_band(self, channel: str, level: str) -> int:
        """The integer band stored with a request; the queue sorts by it first (policy 4.6)."""
        return rank.rank_band(channel, check_level(level), self.priorities)

    def queue_key(self, channel: str, level: str, due_at: datetime, opened_at: datetime, id: int) -> tuple:
        """A Python sort key matching ORDER BY rank_band, due_at, opened_at, id."""
        return rank.queue_key(channel, check_level(level), due_at, opened_at, id, self.priorities)

    def explain_rank(self, channel: str, level: str, due_at: datetime, now: datetime, left=None) -> str:
        """One line saying where a request stands: channel, level, due time, business time left."""
        return rank.explain_rank(channel, check_level(level), due_at, now, self.clock, self.zone_label, left)

    def rank_reasons(self, channel: str, level: str, level_reason: str, due_at: datetime, opened_at: datetime,
                     now: datetime, left=None, answered: bool = False) -> tuple[str, ...]:
        """What decided a request's place in the queue, one line each (policy 4.6, 2.1, 3.4)."""
        return rank.rank_reasons(channel, check_level(level), level_reason, due_at, opened_at, now,
                                 self.clock, self.zone_label, left, answered)

    def sla_clock(self, opened_at: datetime, due_at: datetime, now: datetime) -> "rank.SlaClock":
        """The first-response clock: state and business time left, each computed once (policy 2.1)."""
        return rank.sla_clock(opened_at, due_at, now, self.clock, self.at_risk_threshold)

    def sla_clocks(self, spans, now: datetime) -> list["rank.SlaClock"]:
        """`sla_clock` of each (opened_at, due_at) at the same moment, in order (a queue page)."""
        return rank.sla_clocks(spans, now, self.clock, self.at_risk_threshold)

    def sla_readings(self, spans, now: datetime) -> list[tuple]:
        """(state, words, business time left in microseconds) of each (opened_at, due_at) at the
        same moment: each `sla_clock` with its `text()`, for a page of clocks (the queue)."""
        return rank.sla_readings(spans, now, self.clock, self.at_risk_threshold)

    def sla_state(self, opened_at: datetime, due_at: datetime, now: datetime) -> str:
        """'ok', 'at_risk' (under the threshold of the target left) or 'breached'."""
        return rank.sla_state(opened_at, due_at, now, self.clock, self.at_risk_threshold)

    def sla_report(self, level: str, opened_at: datetime) -> str:
        """A multi-line explanation of a due time, for the CLI."""
        from .report import sla_report

        return sla_report(self, level, opened_at)

    # -- versions, language, secrets (policy 7, 4.2, 8.6) ---------------------------------
    def judge_version(self, version: str, releases: Iterable[str]) -> VersionVerdict:
        """Is this product version supported? Never raises (policy 7.2)."""
        return judge_version(version, releases)

    def detect_language(self, text: str):
        """Whether a request is in English (policy 4.2); see portal.policy.language."""
        from .language import LanguageResult, detect_language

        if not self.decisions.flag_non_english:
            return LanguageResult(True, "und", 0.0, "the English-only check is turned off in the policy")
        return detect_language(text)

    @staticmethod
    def find_secrets(text: str, *, html: bool = False, channel: str = "forum"):
        """Whether what a reader of `text` gets carries credentials or secrets (policy 8.6, 8.5);
        see portal.policy.secrets."""
        from .secrets import find_secrets

        return find_secrets(text, html=html, channel=channel)

