"""Working a forum thread from the staff queue like a ticket: claim, unassign, answer (policy 4.6).

A claim is one conditional UPDATE (`WHERE id = ? AND assignee IS NULL`) whose row count says who
won, as for tickets (portal.services.assign.claim), so two agents never both hold a thread. An
answer is the forum's own staff reply (portal.services.forum.reply): the secret guard of policy
8.6 applies to it as to every forum post, it is indexed for search, and it takes the thread out
of the queue and records its first response (policy 2.1), in one transaction with its audit row.
"""
from portal.db import write_tx
from portal.models import Thread, User
from portal.services import audit, forum
from portal.services.errors import Conflict, NotFound


def _exists(thread_id):
    if not Thread.select(Thread.id).where(Thread.id == thread_id).exists():
        raise NotFound("That thread")


def holder(thread_id):
    """The staff member the thread is assigned to, or None."""
    return (User.select().join(Thread, on=(Thread.assignee == User.id))
            .where(Thread.id == thread_id).first())


def claim(thread_id, agent):
    """Take an unassigned thread; Conflict names the holder when someone was quicker."""
    with write_tx():
        taken = (Thread.update(assignee=agent.id)
                 .where((Thread.id == thread_id) & Thread.assignee.is_null())
                 .execute())
        if taken == 1:
            audit.record(agent, "claim", "thread", thread_id)
            return agent
    _exists(thread_id)
    who = holder(thread_id)
    if who is not None and who.id == agent.id:
        return agent  # claiming your own thread again changes nothing
    name = who.name if who else "another agent"
    raise Conflict({"assignee": f"{name} has already claimed this thread."})


def unassign(thread_id, actor):
    """Put the thread back in the pool."""
    _exists(thread_id)
    with write_tx():
        Thread.update(assignee=None).where(Thread.id == thread_id).execute()
        audit.record(actor, "unassign", "thread", thread_id)


def answer(thread, actor, body):
    """A staff answer posted into the thread (the forum's reply path: secret guard 8.6, search
    index, first response 2.1), audited with it; FieldError("body") when refused."""
    with write_tx():
        post = forum.reply(actor, thread, body)
        audit.record(actor, "answer", "thread", thread.id, f"post {post.id}")
    return post
