"""Partner tickets (policy 3.1 Decision): who of a partner sees them, the end customer and level
they are filed with, the colleagues who follow them, and the partner's search over them.

Visibility is the policy's `can_see_partner_ticket` with `[partners] visibility`; the list asks
the same rule once for the viewer (may they see a colleague's ticket?) and filters in SQL.
"""
import re
from dataclasses import dataclass

from peewee import JOIN, IntegrityError

from portal.db import utcnow, write_tx
from portal.models import License, Message, Order, Ticket, TicketParticipant, User
from portal.policy import Decision
from portal.policy.partners import masked_license as masked
from portal.services import audit, get_policy, licenses
from portal.services.errors import Conflict, FieldError, NotFound

COMPANY_MAX, EMAIL_MAX = Ticket.end_customer_company.max_length, Ticket.end_customer_email.max_length
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WORDS_MAX, WORD_MAX = 6, 60  # a search is bounded: a few words, each of a sane length
NOT_YOURS = "Choose one of your partner's licenses."


def _partner_of(user):
    return getattr(user, "partner_id", None) if getattr(user, "is_reseller", False) else None


def is_participant(ticket, user):
    return TicketParticipant.select().where((TicketParticipant.ticket == ticket)
                                            & (TicketParticipant.user == user.id)).exists()


def may_see(user, ticket):
    """policy 3.1 Decision: a member of the ticket's partner sees it as `[partners] visibility`
    says, or as a participant; a member of another partner never does."""
    partner_id = _partner_of(user)
    decision = get_policy().can_see_partner_ticket(partner_id, user.partner_role, user.id, ticket.partner_id,
                                                   ticket.requester_id)
    if decision or partner_id is None or partner_id != ticket.partner_id:
        return decision
    if is_participant(ticket, user):
        return Decision(True, "3.1", "You follow this ticket as a participant.")
    return decision


def sees_colleagues(user):
    """Does `[partners] visibility` let this member see tickets a colleague filed? (policy 3.1)"""
    partner_id = _partner_of(user)
    return partner_id is not None and bool(get_policy().can_see_partner_ticket(
        partner_id, user.partner_role, user.id, partner_id, None))


def sees_only_own(user):
    """Does `user` see only the tickets they filed (no partner), so visible_to is requester = user?"""
    return _partner_of(user) is None


def visible_to(user):
    """The SQL condition of the tickets `user` may see in their list: their own, and for a partner
    member those of the partner the Decision shows them plus those they follow."""
    own = Ticket.requester == user.id
    partner_id = _partner_of(user)
    if partner_id is None:
        return own
    follows = Ticket.id.in_(TicketParticipant.select(TicketParticipant.ticket)
                            .where(TicketParticipant.user == user.id))
    if sees_colleagues(user):
        return own | (Ticket.partner == partner_id)
    return own | ((Ticket.partner == partner_id) & follows)


# -- filing for an end customer ------------------------------------------------------------

def license_matches(words):
    """The licenses whose key, delivery email or registered customer's name contains `words`
    (a query joined with Order and the license's User), for the form's choice and the Licenses page."""
    return License.key.contains(words) | Order.delivery_email.contains(words) | User.display_name.contains(words)


def licenses_of(partner_id, limit=500, words="", keep=None):
    """The licenses the partner bought for resale (Order.partner), newest first, with their order;
    `words` keeps those whose key, delivery email or registered account's name contains them, and
    the license `keep` (the one already chosen) stays in the list whatever the words."""
    if partner_id is None:
        return []
    query = (License.select(License, Order).join(Order, on=(License.order == Order.id))
             .join_from(License, User, JOIN.LEFT_OUTER, on=(License.user == User.id))
             .where(Order.partner == partner_id))
    words = " ".join((words or "").split())[:WORD_MAX]
    if words:
        found = license_matches(words)
        query = query.where(found | (License.id == keep) if keep else found)
    return list(query.order_by(License.purchased_on.desc(), License.id.desc()).limit(limit))


def partner_license(partner_id, license_id):
    """The partner's license by id, or FieldError: another partner's (or no) license is refused."""
    found = (License.select(License, Order).join(Order, on=(License.order == Order.id))
             .where((License.id == license_id) & (Order.partner == partner_id)).first())
    if found is None:
        raise FieldError("license", NOT_YOURS)
    return found


@dataclass(frozen=True)
class EndCustomer:
    """Whom a partner ticket is for: one of the partner's licenses, or a company and its address."""
    license: License | None = None
    company: str = ""
    email: str = ""


def check_end_customer(user, license_id=None, company="", email=""):
    """The end customer of a member's ticket (policy 3.1 Decision), or FieldError; None when the
    filer is no partner member or said nothing (the ticket then is the partner's own)."""
    partner_id = _partner_of(user)
    company, email = (company or "").strip(), (email or "").strip()
    if partner_id is None:
        return None
    if license_id:
        return EndCustomer(license=partner_license(partner_id, license_id))
    if not company and not email:
        return None
    if not company or len(company) > COMPANY_MAX:
        raise FieldError("end_customer_company", f"Give the end customer's company (at most {COMPANY_MAX} characters).")
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise FieldError("end_customer_email", "Give the end customer's contact email, like name@example.com.")
    return EndCustomer(company=company, email=email.lower())


def ticket_level(end_customer):
    """policy 3.1 Decision `[partners] ticket_level`, 3.4, 2.1: the LevelDecision of a partner ticket."""
    policy = get_policy()
    lic = end_customer.license if end_customer else None
    if lic is None:
        return policy.partner_ticket_level(None, False)
    return policy.partner_ticket_level(lic.type, licenses.is_current(lic), lic.key)


def partner_fields(user, end_customer):
    """The ticket columns a member's ticket records at creation (the partner stays with it)."""
    partner_id = _partner_of(user)
    if partner_id is None:
        return {}
    fields = {"partner": partner_id}
    if end_customer and end_customer.license is not None:
        fields.update(license=end_customer.license.id, end_customer_email=end_customer.license.order.delivery_email)
    elif end_customer:
        fields.update(end_customer_company=end_customer.company, end_customer_email=end_customer.email)
    return fields


# -- participants ----------------------------------------------------------------------------

def participants(ticket):
    return list(User.select().join(TicketParticipant, on=(TicketParticipant.user == User.id))
                .where(TicketParticipant.ticket == ticket).order_by(User.email))


def addable_colleagues(ticket, user):
    """Active colleagues (same partner as the ticket) who do not follow it yet and did not file it."""
    if ticket.partner_id is None or _partner_of(user) != ticket.partner_id:
        return []
    following = TicketParticipant.select(TicketParticipant.user).where(TicketParticipant.ticket == ticket)
    return list(User.select().where((User.partner == ticket.partner_id) & (User.role == "reseller")
                                    & User.is_active_account & (User.id != ticket.requester_id)
                                    & User.id.not_in(following)).order_by(User.email))


def add_participant(ticket, actor, colleague_id):
    """A member adds a colleague of the same partner to a ticket they see (policy 3.1 Decision)."""
    if ticket.partner_id is None or _partner_of(actor) != ticket.partner_id or not may_see(actor, ticket):
        raise NotFound("That ticket")
    colleague = User.get_or_none((User.id == colleague_id) & (User.partner == ticket.partner_id)
                                 & (User.role == "reseller") & User.is_active_account)
    if colleague is None:
        raise FieldError("user", "Choose a colleague of your partner.")
    if colleague.id == ticket.requester_id:
        raise FieldError("user", "The member who filed the ticket follows it already.")
    try:
        with write_tx():
            TicketParticipant.create(ticket=ticket, user=colleague, created_at=utcnow())
            audit.record(actor, "ticket.participant_add", "ticket", ticket.id, colleague.email)
    except IntegrityError:
        raise Conflict(f"{colleague.email} already follows this ticket.") from None
    return colleague


# -- search and filters of the Partner Area list ---------------------------------------------

def _like(word):
    # the wildcards are dropped rather than escaped: LIKE's ESCAPE differs between the databases
    return "%" + re.sub(r"[%_\\]", "", word) + "%"


def search_condition(q):
    """A ticket number ("#12" or "12") or words, each found in the subject, a public message, the
    end customer or the license key (bounded ILIKE); None for an empty search."""
    words = (q or "").split()[:WORDS_MAX]
    if not words:
        return None
    if len(words) == 1 and re.fullmatch(r"#?\d{1,9}", words[0]):
        number = int(words[0].lstrip("#"))
        return (Ticket.id == number) | (Ticket.subject ** _like(words[0]))
    condition = None
    for word in words:
        pattern = _like(word[:WORD_MAX])
        in_body = Ticket.id.in_(Message.select(Message.ticket).where((Message.body ** pattern) & ~Message.internal))
        one = (Ticket.subject ** pattern) | customer_condition(word) | in_body
        condition = one if condition is None else condition & one
    return condition


def customer_condition(text):
    """The end customer filter: company, contact email or license key containing the text."""
    pattern = _like((text or "").strip()[:WORD_MAX])
    return ((Ticket.end_customer_company ** pattern) | (Ticket.end_customer_email ** pattern)
            | Ticket.license.in_(License.select(License.id).where(License.key ** pattern)))


# -- the CSV export --------------------------------------------------------------------------

CSV_HEADER = ("number", "subject", "end customer", "license", "level", "status", "filed by", "opened",
              "first response due", "first response given", "last activity")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(value):
    """A cell a spreadsheet will not run as a formula (a leading ' on = + - @ tab CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(tickets, time_text):
    """The export's rows (header first) for tickets joined with their requester and license;
    `time_text` writes a time as the portal does."""
    yield CSV_HEADER
    for t in tickets:
        customer = (t.end_customer_company or "") + (f" <{t.end_customer_email}>" if t.end_customer_email else "")
        given = t.first_response_at
        yield tuple(defused(v) for v in (
            t.id, t.subject, customer.strip(), masked(t.license.key) if t.license_id else "", t.level, t.status,
            t.requester.email, time_text(t.opened_at), time_text(t.due_at), time_text(given) if given else "",
            time_text(t.updated_at)))
