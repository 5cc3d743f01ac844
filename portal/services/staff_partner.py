"""What staff see of a partner ticket (policy 3.1, 3.4, 2.1): the partner it belongs to, the member
who filed it, the end customer it is for, that customer's license and the level the
`[partners] ticket_level` rule gives it, with the rule's reason.

The ticket's level is fixed when it is filed; the rule is asked again for the page, so staff see
when the end customer's license has lapsed (or was renewed) since.
"""
import datetime
from dataclasses import dataclass

from portal.db import utcnow
from portal.policy import LevelDecision
from portal.policy.partners import license_state
from portal.services import get_policy
from portal.services.licenses import masked_key


@dataclass(frozen=True)
class PartnerTicketFacts:
    """A partner ticket as the staff ticket page shows it."""
    partner_name: str
    partner_number: str
    filer_name: str
    filer_email: str
    filer_role: str | None              # manager | member; None once the filer left the partner
    end_customer_company: str
    end_customer_email: str
    license_key: str                    # masked (services.licenses.masked_key); "" without a license
    license_tier: str | None
    license_state: str | None           # current | expired | not_started; None without a license
    license_expires_on: datetime.date | None
    license_starts_on: datetime.date | None
    level: LevelDecision                # what the rule gives today, with its reason
    filed_level: str                    # the level the ticket was filed and ranked at

    @property
    def level_changed(self):
        return self.level.level != self.filed_level


def end_customer(company, email):
    """The end customer in a few words: the company, else the contact address ("" for neither)."""
    return company or email or ""


def _state(lic, now):
    """How the license stands on the policy's date (policy 2.1): current (expiring soon is still
    current here), expired or not_started, by the one rule of `license_state`."""
    state = license_state(lic.purchased_on, lic.expires_on, get_policy().local_date(now))
    return "current" if state == "expiring" else state


def partner_ticket_facts(ticket, now=None):
    """The partner facts of `ticket`, None for a ticket no partner filed. Reads `ticket.partner`,
    `ticket.license` and `ticket.requester`, which the caller joins in (no query here)."""
    if ticket.partner_id is None:
        return None
    partner, lic, filer, now = ticket.partner, ticket.license, ticket.requester, now or utcnow()
    state = _state(lic, now) if lic is not None else None
    decision = get_policy().partner_ticket_level(lic.type if lic else None, state == "current",
                                                 lic.key if lic else None)
    still_member = filer.partner_id == partner.id and filer.is_active_account
    return PartnerTicketFacts(
        partner_name=partner.name, partner_number=partner.number, filer_name=filer.name,
        filer_email=filer.email, filer_role=filer.partner_role if still_member else None,
        end_customer_company=ticket.end_customer_company or "", end_customer_email=ticket.end_customer_email or "",
        license_key=masked_key(lic.key) if lic else "", license_tier=lic.type if lic else None,
        license_state=state, license_expires_on=lic.expires_on if lic else None,
        license_starts_on=lic.purchased_on if lic else None,
        level=decision, filed_level=ticket.level)
