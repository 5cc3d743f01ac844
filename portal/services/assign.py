"""Working a ticket from the staff side: claim, assign, unassign, status, replies, notes.

Taking a ticket from another agent (assigning it elsewhere, unassigning it) asks first: the use
case refuses until the actor confirms that holder, and then mails them. A reply carries the
ticket revision its author saw and is held when someone else's reply or status change landed.

A claim is one conditional UPDATE (`WHERE id = ? AND status <> 'closed' AND assignee IS NULL`)
whose row count says who won, so two agents claiming at once never both get the ticket. Nobody
claims, assigns or unassigns a closed ticket (Conflict).
"""
from portal.services.errors import Conflict, FieldError, NotFound, ServiceError
from portal.db import lock_for_update, utcnow, write_tx
from portal.ids import parse_id
from portal.models import PRODUCTS, STATUSES, Attachment, Post, Thread, Ticket, User
from portal.services import attachments, audit, get_policy, links, runtime, search, tickets
from portal.services.access import account_facts

CHOOSE_AGENT = "Choose a member of staff."
CHOOSE_STATUS = f"Choose one of: {', '.join(STATUSES)}."
CLOSED = "This ticket is closed; reopen it before changing who works on it."
EMPTY = "Write something first."
TAKE_OVER = "{name} holds this ticket. Take it over?"


def _agent(user_id):
    """A staff member or admin by id (an int; None or an id out of range names nobody), else FieldError."""
    user_id = parse_id(user_id)
    agent = User.get_or_none((User.id == user_id) & User.role.in_(("staff", "admin"))) if user_id else None
    if agent is None or not agent.is_active:
        raise FieldError("agent", CHOOSE_AGENT)
    return agent


def _set_assignee(ticket_id, assignee_id, *conditions):
    """One conditional UPDATE, so a ticket closed meanwhile keeps its assignee; Conflict when the
    ticket is closed. Returns the rows changed."""
    done = (Ticket.update(assignee=assignee_id, updated_at=utcnow())
            .where(Ticket.id == ticket_id, Ticket.status != "closed", *conditions)
            .execute())
    if done == 0 and Ticket.select().where((Ticket.id == ticket_id) & (Ticket.status == "closed")).exists():
        raise Conflict({"assignee": CLOSED})
    return done


def claim(ticket_id, agent):
    """Take an unassigned ticket; Conflict names the holder when someone was quicker."""
    with write_tx():
        if _set_assignee(ticket_id, agent.id, Ticket.assignee.is_null()) == 1:
            audit.record(agent, "claim", "ticket", ticket_id)
            return agent
    holder = (User.select().join(Ticket, on=(Ticket.assignee == User.id))
              .where(Ticket.id == ticket_id).first())
    if holder is not None and holder.id == agent.id:
        return agent  # claiming your own ticket again changes nothing
    name = holder.name if holder else "another agent"
    raise Conflict({"assignee": f"{name} has already claimed this ticket."})


def _holder(ticket_id, actor, keep, confirmed_holder):
    """Inside the write: the ticket locked (PostgreSQL; SQLite's IMMEDIATE transaction already
    serialises) and who holds it. Conflict when it is closed, or when ANOTHER agent holds it and
    the actor has not confirmed taking it from exactly that agent (`confirmed_holder`, an id): the
    refusal names them (`confirm`) and carries `holder`, for the confirm step. `keep` is the
    assignee the change leaves in place (the new agent), never a take-over."""
    fresh = lock_for_update(Ticket.select().where(Ticket.id == ticket_id)).first()
    if fresh is None:
        raise NotFound("That ticket")
    if fresh.status == "closed":
        raise Conflict({"assignee": CLOSED})
    held = fresh.assignee_id
    if held is None or held in (actor.id, keep):
        return fresh, None
    holder = User.get_by_id(held)
    if held != confirmed_holder:
        refusal = Conflict({"confirm": TAKE_OVER.format(name=holder.name)})
        refusal.holder = holder
        raise refusal
    return fresh, holder


def _tell_holder(holder, ticket, actor, agent):
    """The agent whose ticket was taken over or unassigned hears it by mail (inside the change's
    transaction: the outbox row commits with the new assignee, or neither does)."""
    if holder is not None and holder.is_active:
        runtime.current().send_template(holder.email, "ticket_taken_over", ticket=ticket, holder=holder,
                                        actor=actor, agent=agent,
                                        link=links.absolute(f"/staff/tickets/{int(ticket.id)}"))


def assign(ticket_id, actor, agent_id, confirmed_holder=None):
    """Give the ticket to the agent `agent_id`; not on a closed one. Taking it from another agent
    needs `confirmed_holder` (their id, as the confirm step showed them); that agent is mailed."""
    agent = _agent(agent_id)
    with write_tx():
        fresh, holder = _holder(ticket_id, actor, agent.id, parse_id(confirmed_holder))
        _set_assignee(ticket_id, agent.id)
        detail = f"to {agent.email}" + (f", taken over from {holder.email}" if holder else "")
        audit.record(actor, "assign", "ticket", ticket_id, detail)
        _tell_holder(holder, fresh, actor, agent)
    return agent


def unassign(ticket_id, actor, confirmed_holder=None):
    """Put the ticket back in the pool; not a closed one. Another agent's ticket needs
    `confirmed_holder` (their id), and that agent is mailed."""
    with write_tx():
        fresh, holder = _holder(ticket_id, actor, None, parse_id(confirmed_holder))
        _set_assignee(ticket_id, None)
        audit.record(actor, "unassign", "ticket", ticket_id, f"from {holder.email}" if holder else "")
        _tell_holder(holder, fresh, actor, None)


def _refusal(exc, field, keep=()):
    """A tickets refusal as this form's error on `field` (those on a field named in `keep`, such
    as a reply's files, stay on theirs); a NotFound stays one."""
    if isinstance(exc, NotFound):
        return exc
    errors = {name: message for name, message in exc.errors.items() if name in keep}
    rest = " ".join(message for name, message in exc.errors.items() if name not in keep)
    if rest:
        errors[field] = rest
    if len(errors) == 1:
        (name, message), = errors.items()
        return FieldError(name, message, exc.status, exc.secret)
    return ServiceError(errors, exc.status, exc.secret)


def change_status(ticket, actor, status):
    """Set the status through the tickets service (allowlisted), audit logged."""
    if status not in STATUSES:
        raise FieldError("status", CHOOSE_STATUS)
    if status == ticket.status:
        return ticket
    before = ticket.status
    with write_tx():
        try:
            result = tickets.set_status(ticket, actor, status)
        except ServiceError as exc:
            raise _refusal(exc, "status") from None
        audit.record(actor, "status", "ticket", ticket.id, f"{before} -> {status}")
    return result


def respond(ticket, actor, body, internal=False, files=(), status=None, seen_revision=None):
    """A reply to the customer, or an internal note staff alone see (tickets.add_reply), with its
    files (attachments.Incoming) and, for a reply, the status to set with it ("send and set
    status"): reply, status, audit and mail rows in one transaction.

    `seen_revision` is the ticket revision the agent saw; when a customer-visible reply or status
    change landed since, nothing is written: Conflict({"revision": ...}) (the optimistic check)."""
    field = "note" if internal else "body"
    body = (body or "").strip()
    if not body:
        raise FieldError(field, EMPTY)
    if status is not None and status not in STATUSES:
        raise FieldError("status", CHOOSE_STATUS)
    stored = []
    try:
        with write_tx():
            message = tickets.add_reply(ticket, actor, body, internal=internal, files=files, notify=False,
                                        seen_revision=None if internal else seen_revision)
            stored = [a.stored_name for a in Attachment.select().where(Attachment.message == message.id)]
            audit.record(actor, "internal note" if internal else "reply", "ticket", ticket.id)
            if status and not internal and status != ticket.status:
                before = ticket.status
                tickets.set_status(ticket, actor, status)
                audit.record(actor, "status", "ticket", ticket.id, f"{before} -> {status}")
            if not internal:  # in the transaction: the outbox row commits with the reply
                tickets.mail_requester(ticket, actor, body)
    except ServiceError as exc:
        attachments.remove_files(stored)
        if "revision" in exc.errors:
            raise
        raise _refusal(exc, field, keep=("files",)) from None
    except Exception:
        attachments.remove_files(stored)  # the rows were rolled back; so go the files
        raise
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
            parts.append(f"--- {post.author.name} wrote on {get_policy().time_text(post.created_at)}:\n{post.body}")
    return "\n\n".join(parts) or thread.title


def convert_thread(thread, actor):
    """Turn a forum thread into a ticket for its author (policy 4.6: tickets rank first).

    One transaction: the thread taken, the ticket with its first message, the staff post that
    links to it and the audit row, or nothing of them."""
    author = thread.author
    decision = get_policy().may_open_ticket(account_facts(author))
    if not decision:
        raise Conflict({"convert": f"{author.name} may not open tickets: {decision.reason}"})
    product = thread.product if thread.product in PRODUCTS else PRODUCTS[0]
    now = utcnow()
    with write_tx():
        taken = (Thread.update(awaiting_staff=False, first_response_at=now,
                               first_response_met=(thread.due_at is None or now <= thread.due_at))
                 .where((Thread.id == thread.id) & (Thread.awaiting_staff == True))  # noqa: E712
                 .execute())
        if taken != 1:
            raise Conflict({"convert": "This thread has already been answered or converted."})
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
        raise Conflict({"convert": "The thread cannot become a ticket: " + " ".join(exc.errors.values())}) from None
    return tickets.insert_ticket(new)
