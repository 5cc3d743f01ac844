"""Demo staff queue: breached and at-risk requests, assignments, canned replies.

Runs after the tickets and forum steps, which already file one open ticket per level
(a reseller one included) and forum threads waiting for an answer.
"""
import datetime

from portal.db import utcnow, write_tx
from portal.models import Category, Message, Post, Thread, Ticket, User
from portal.services import canned, get_policy, tickets

# token, email, product, version, subject, body, business days ago (opened), assignee
LATE_TICKETS = [
    ("demo-staff-site-late", "site@demo.test", "Remote Utilities", "8.1.0.3",
     "Hosts show offline in the address book", "Since Monday half of our hosts show as offline "
     "in the Viewer address book although they are running.", 2, None),
    ("demo-staff-reseller-late", "reseller@demo.test", "Remote Utilities", "7.6.2.0",
     "Bulk licence activation fails for a customer", "Activating 25 seats for one of my customers "
     "fails with 'license server unreachable' on every machine.", 3, "staff2@demo.test"),
    ("demo-staff-free-late", "free@demo.test", "Remote Utilities", "6.12.0.1",
     "Old Viewer cannot connect to new Host", "My Viewer 6.12 cannot connect to a Host installed "
     "last week. Is that expected?", 4, None),
]
ASSIGN = [("pro@demo.test", "staff@demo.test"), ("site@demo.test", "staff2@demo.test")]
LATE_THREAD = ("configuration", "plus@demo.test", "Proxy settings ignored by the Host",
               "The Host ignores the HTTP proxy I set in its settings and tries to connect directly. "
               "Version 8.1.0.3 on Windows 10.", 3)


def _days_ago(days):
    """An aware time `days` business days back, in support hours (so the SLA is already breached)."""
    policy = get_policy()
    at = utcnow().astimezone(policy.zone).replace(hour=10, minute=0, second=0, microsecond=0)
    while days:
        at -= datetime.timedelta(days=1)
        if at.weekday() < 5:
            days -= 1
    return at


def _backdate_ticket(ticket, opened):
    policy = get_policy()
    with write_tx():
        Ticket.update(opened_at=opened, updated_at=opened,
                      due_at=policy.first_response_due(opened, ticket.level)).where(
            Ticket.id == ticket.id).execute()
        Message.update(created_at=opened).where(Message.ticket == ticket.id).execute()


def _late_tickets(lines):
    for token, email, product, version, subject, body, days, agent in LATE_TICKETS:
        user = User.by_email(email)
        if user is None or Ticket.get_or_none(Ticket.submit_token == token) is not None:
            continue
        ticket = tickets.create_ticket(user, product, version, subject, body, submit_token=token,
                                       accept_policy=True)
        _backdate_ticket(ticket, _days_ago(days))
        if agent and User.by_email(agent):
            Ticket.update(assignee=User.by_email(agent)).where(Ticket.id == ticket.id).execute()
        lines.append(f"ticket #{ticket.id:<4} {user.level:9} breached: {subject}")


def _assignments(lines):
    for requester, agent in ASSIGN:
        user, staff = User.by_email(requester), User.by_email(agent)
        if user is None or staff is None:
            continue
        first = (Ticket.select().where((Ticket.requester == user) & Ticket.awaiting_staff
                                       & Ticket.assignee.is_null() & (Ticket.status == "open"))
                 .order_by(Ticket.id).first())
        already = Ticket.select().where((Ticket.requester == user) & (Ticket.assignee == staff)).exists()
        if first is not None and not already:
            Ticket.update(assignee=staff).where(Ticket.id == first.id).execute()
            lines.append(f"ticket #{first.id:<4} assigned to {agent}")


def _late_thread(lines):
    slug, email, title, body, days = LATE_THREAD
    author = User.by_email(email)
    category = Category.get_or_none(Category.slug == slug) or Category.select().order_by(Category.position).first()
    if author is None or category is None or Thread.get_or_none(Thread.title == title) is not None:
        return
    from portal.services import forum
    thread = forum.start_thread(author, category, title, body)
    created = _days_ago(days)
    with write_tx():
        Thread.update(created_at=created, last_post_at=created,
                      due_at=get_policy().first_response_due(created, thread.level)).where(
            Thread.id == thread.id).execute()
        Post.update(created_at=created).where(Post.thread == thread.id).execute()
    lines.append(f"thread #{thread.id:<4} {thread.level:9} breached: {title}")


def seed(password):
    """Add late and assigned requests and the canned replies; safe to run twice."""
    lines = []
    canned.ensure_seeded()
    _late_tickets(lines)
    _assignments(lines)
    _late_thread(lines)
    return lines
