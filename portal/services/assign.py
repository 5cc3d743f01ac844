"""Working a ticket from the staff side: claim, assign, unassign, status, replies, notes.

A claim is one conditional UPDATE (`WHERE id = ? AND assignee IS NULL`) whose row count
says who won, so two agents claiming at once never both get the ticket.
"""
from portal.services.errors import ServiceError
from portal.db import utcnow, write_tx
from portal.ids import parse_id
from portal.models import PRODUCTS, STATUSES, Post, Thread, Ticket, User
from portal.services import audit, get_policy, links, search, tickets
from portal.services.access import account_facts
from portal.services.sessions import local_text  # Pacific time, like every staff page (policy 1.5)


class AssignError(ServiceError):
    """A staff action that cannot be done, with a message for the agent and the form field."""

    def __init__(self, message, field="", holder=None, status=None):
        super().__init__({field or "form": message}, status)
        self.holder = holder


class Conflict(AssignError):
    """Someone else holds the ticket (HTTP 409)."""

    status = 409


def _agent(user_id):
    """A staff member or admin by id, else AssignError."""
    user_id = parse_id(user_id)
    agent = User.get_or_none((User.id == user_id) & User.role.in_(("staff", "admin"))) if user_id else None
    if agent is None or not agent.is_active:
        raise AssignError("Choose a member of staff.", "agent")
    return agent


def claim(ticket_id, agent):
    """Take an unassigned ticket; Conflict names the holder when someone was quicker."""
    with write_tx():
        won = (Ticket.update(assignee=agent.id, updated_at=utcnow())
               .where((Ticket.id == ticket_id) & Ticket.assignee.is_null())
               .execute())
        if won == 1:
            audit.record(agent, "claim", "ticket", ticket_id)
            return agent
    holder = (User.select().join(Ticket, on=(Ticket.assignee == User.id))
              .where(Ticket.id == ticket_id).first())
    if holder is not None and holder.id == agent.id:
        return agent  # claiming your own ticket again changes nothing
    name = holder.name if holder else "another agent"
    raise Conflict(f"{name} has already claimed this ticket.", "assignee", holder)


def assign(ticket_id, actor, agent_id):
    """Give the ticket to another agent (or take it over)."""
    agent = _agent(agent_id)
    with write_tx():
        Ticket.update(assignee=agent.id, updated_at=utcnow()).where(Ticket.id == ticket_id).execute()
        audit.record(actor, "assign", "ticket", ticket_id, f"to {agent.email}")
    return agent


def unassign(ticket_id, actor):
    """Put the ticket back in the pool."""
    with write_tx():
        Ticket.update(assignee=None, updated_at=utcnow()).where(Ticket.id == ticket_id).execute()
        audit.record(actor, "unassign", "ticket", ticket_id)


def change_status(ticket, actor, status):
    """Set the status through the tickets service (allowlisted), audit logged."""
    if status not in STATUSES:
        raise AssignError(f"Choose one of: {', '.join(STATUSES)}.", "status")
    if status == ticket.status:
        return ticket
    before = ticket.status
    with write_tx():
        try:
            result = tickets.set_status(ticket, actor, status)
        except ServiceError as exc:
            raise AssignError(" ".join(exc.errors.values()), "status") from None
        audit.record(actor, "status", "ticket", ticket.id, f"{before} -> {status}")
    return result


def respond(ticket, actor, body, internal=False):
    """A reply to the customer, or an internal note staff alone see (tickets.add_reply)."""
    body = (body or "").strip()
    if not body:
        raise AssignError("Write something first.", "note" if internal else "body")
    try:
        message = tickets.add_reply(ticket, actor, body, internal=internal)
    except ServiceError as exc:
        raise AssignError(" ".join(exc.errors.values()), "note" if internal else "body") from None
    audit.record(actor, "internal note" if internal else "reply", "ticket", ticket.id)
    return message


def thread_link_text(ticket_url, ticket_id):
    """The staff post left in a converted thread."""
    return (f"We have moved this question to a support ticket (#{ticket_id}) so that we can "
            f"help you there: {ticket_url}\nOnly you and our staff can see the ticket.")


def _thread_body(thread):
    posts = (Post.select(Post, User)
             .join(User, on=(Post.author == User.id))
             .where((Post.thread == thread) & (Post.hidden == False))  # noqa: E712
             .order_by(Post.created_at, Post.id))
    parts = []
    for post in posts:
        if not parts:
            parts.append(post.body)
        else:
            parts.append(f"--- {post.author.name} wrote on {local_text(post.created_at)}:\n{post.body}")
    return "\n\n".join(parts) or thread.title


def convert_thread(thread, actor):
    """Turn a forum thread into a ticket for its author (policy 4.6: tickets rank first).

    One transaction: the thread taken, the ticket with its first message, the staff post that
    links to it and the audit row, or nothing of them."""
    author = thread.author
    decision = get_policy().may_open_ticket(account_facts(author))
    if not decision:
        raise AssignError(f"{author.name} may not open tickets: {decision.reason}", "convert")
    product = thread.product if thread.product in PRODUCTS else PRODUCTS[0]
    now = utcnow()
    with write_tx():
        taken = (Thread.update(awaiting_staff=False, first_response_at=now,
                               first_response_met=(thread.due_at is None or now <= thread.due_at))
                 .where((Thread.id == thread.id) & (Thread.awaiting_staff == True))  # noqa: E712
                 .execute())
        if taken != 1:
            raise AssignError("This thread has already been answered or converted.", "convert")
        ticket = _ticket_from_thread(author, product, thread)
        post = Post.create(thread=thread.id, author=actor.id, is_staff_answer=True, created_at=now,
                           body=thread_link_text(links.ticket_url(ticket), ticket.id))
        search.index_post(post)  # the staff answer is searchable like any other post
        Thread.update(post_count=Thread.post_count + 1, last_post_at=now).where(Thread.id == thread.id).execute()
        audit.record(actor, "convert", "thread", thread.id, f"to ticket {ticket.id}")
    return ticket


def _ticket_from_thread(author, product, thread):
    """The author's ticket, checked and inserted in the conversion's transaction; staff converting
    do not accept the policy for them (1.2), so it is neither asked for nor recorded."""
    try:
        new = tickets.check_new_ticket(author, product, "", thread.title[:200], _thread_body(thread),
                                       for_requester=False)
    except ServiceError as exc:
        raise AssignError("The thread cannot become a ticket: " + " ".join(exc.errors.values()),
                          "convert") from None
    return tickets.insert_ticket(new)
