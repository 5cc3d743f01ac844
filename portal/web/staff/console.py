"""The staff console: the shared queue, working a ticket, canned replies, converting threads."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from peewee import JOIN

from portal.db import utcnow
from portal.models import STATUSES, PRODUCTS, CannedReply, Message, Post, Release, Thread, Ticket, User
from portal.policy import LEVELS
from portal.services import assign, canned, get_policy, queue
from portal.services.access import account_facts
from portal.web.render import render, wants_fragment
from portal.web.staff import ops

from portal.web.staff import bp


@bp.route("/")
def home():
    """Staff: /staff goes to the queue."""
    return redirect(url_for("staff.queue"))


@bp.route("/queue", endpoint="queue")
def queue_list():
    """Staff: the shared queue of tickets and forum threads in policy order, filtered and paged."""
    errors, page, filters = {}, queue.QueuePage(), queue.Filters()
    try:
        filters = queue.parse_filters(request.args, current_user)
        page = queue.queue_page(filters, request.args.get("after") or None)
    except queue.QueueError as exc:
        errors[exc.field] = exc.message
    return render("staff/queue.html", block="rows", status=400 if errors else 200, page=page,
                  filters=filters, errors=errors, levels=LEVELS, products=PRODUCTS,
                  depth=queue.queue_depth(filters) if not errors and not wants_fragment() else {},  # heading only
                  after=request.args.get("after"))



def _ticket(ticket_id):
    """The ticket with its requester and assignee, or 404."""
    owner, helper = User.alias(), User.alias()
    ticket = (Ticket.select(Ticket, owner, helper)
              .join_from(Ticket, owner, on=(Ticket.requester == owner.id), attr="requester")
              .join_from(Ticket, helper, on=(Ticket.assignee == helper.id), join_type=JOIN.LEFT_OUTER,
                         attr="assignee")
              .where(Ticket.id == ticket_id).first())
    if ticket is None:
        abort(404)
    return ticket


def _ticket_ctx(ticket, errors=None, notice=None, form=None, body=None):
    """Everything the ticket page and its fragments show."""
    policy, now = get_policy(), utcnow()
    due, opened = ticket.due_at, ticket.opened_at
    messages = (Message.select(Message, User).join(User, on=(Message.author == User.id))
                .where(Message.ticket == ticket.id).order_by(Message.created_at, Message.id))
    replies, wanted = canned.all_replies(), request.args.get("canned")
    chosen = next((c for c in replies if wanted and c.key == wanted), None)
    staff = list(User.staff_members())
    # the panels are part of the whole page only; an htmx fragment of this page never shows them
    panels = None if wants_fragment() else ops.panels_context(ticket, staff)
    return dict(
        ticket=ticket, messages=list(messages), errors=errors or {}, notice=notice, form=form or {},
        panels=panels,
        verdict=policy.judge_version(ticket.version, Release.versions(ticket.product)),
        due=due, state=policy.sla_state(opened, due, now), explanation=policy.explain_rank(
            "ticket", ticket.level, due, now), staff=staff, statuses=STATUSES,
        canned_replies=replies, chosen=chosen,
        reply_body=body if body is not None else (chosen.body if chosen else ""))


def _after(ticket_id, block, message, status=200):
    """htmx gets the refreshed component; a plain form post goes back to the page."""
    ticket = _ticket(ticket_id)
    if wants_fragment() or status >= 400:
        return render("staff/ticket.html", block=block, status=status,
                      **_ticket_ctx(ticket, notice=message if status < 400 else None,
                                    errors={"assignee": message} if status >= 400 else None))
    flash(message, "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>")
def ticket(ticket_id):
    """Staff: work one ticket: conversation, SLA clock, version verdict, assignment, reply and note forms."""
    return render("staff/ticket.html", block="reply_form", **_ticket_ctx(_ticket(ticket_id)))


@bp.route("/tickets/<int:ticket_id>/claim", methods=["POST"])
def claim(ticket_id):
    """Staff: take an unassigned ticket for yourself; 409 with the holder's name if someone was faster."""
    _ticket(ticket_id)
    try:
        assign.claim(ticket_id, current_user)
    except assign.Conflict as exc:  # lost the race: say who has it
        return _after(ticket_id, "assignment", exc.message, 409)
    return _after(ticket_id, "assignment", "You have claimed this ticket.")


@bp.route("/tickets/<int:ticket_id>/assign", methods=["POST"])
def assign_to(ticket_id):
    """Staff: assign a ticket to a staff member."""
    _ticket(ticket_id)
    try:
        agent = assign.assign(ticket_id, current_user, request.form.get("agent"))
    except assign.AssignError as exc:
        return _after(ticket_id, "assignment", exc.message, 400)
    return _after(ticket_id, "assignment", f"Assigned to {agent.name}.")


@bp.route("/tickets/<int:ticket_id>/unassign", methods=["POST"])
def unassign(ticket_id):
    """Staff: put a ticket back in the pool."""
    _ticket(ticket_id)
    assign.unassign(ticket_id, current_user)
    return _after(ticket_id, "assignment", "The ticket is back in the pool.")


@bp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
def status(ticket_id):
    """Staff: set a ticket's status."""
    ticket = _ticket(ticket_id)
    try:
        assign.change_status(ticket, current_user, request.form.get("status", ""))
    except assign.AssignError as exc:
        return render("staff/ticket.html", block="status", status=400,
                      **_ticket_ctx(ticket, errors={"status": exc.message}))
    return _after(ticket_id, "status", f"Status set to {request.form['status']}.")


def _respond(ticket_id, internal):
    ticket, field = _ticket(ticket_id), "note" if internal else "body"
    try:
        assign.respond(ticket, current_user, request.form.get(field), internal=internal)
    except assign.AssignError as exc:
        return render("staff/ticket.html", status=400, **_ticket_ctx(
            ticket, errors={exc.field: exc.message}, form=request.form, body=request.form.get("body", "")))
    flash("Internal note added." if internal else "Reply sent to the customer.", "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
def reply(ticket_id):
    """Staff: send the customer a reply on a ticket."""
    return _respond(ticket_id, internal=False)


@bp.route("/tickets/<int:ticket_id>/note", methods=["POST"])
def note(ticket_id):
    """Staff: add an internal note to a ticket, which the customer never sees."""
    return _respond(ticket_id, internal=True)


def _thread(thread_id):
    thread = (Thread.select(Thread, User).join(User, on=(Thread.author == User.id), attr="author")
              .where(Thread.id == thread_id).first())
    if thread is None:
        abort(404)
    return thread


def _thread_page(thread, errors=None, status=200):
    posts = (Post.select(Post, User).join(User, on=(Post.author == User.id))
             .where(Post.thread == thread.id).order_by(Post.created_at, Post.id))
    decision = get_policy().may_open_ticket(account_facts(thread.author))
    forum_url = url_for("forum.thread", thread_id=thread.id)
    return render("staff/thread.html", status=status, thread=thread, posts=list(posts),
                  may_convert=decision, errors=errors or {}, forum_url=forum_url,
                  due=thread.due_at)


@bp.route("/threads/<int:thread_id>")
def thread(thread_id):
    """Staff: a forum thread with its posts, its response clock and whether it may become a ticket."""
    return _thread_page(_thread(thread_id))


@bp.route("/threads/<int:thread_id>/convert", methods=["POST"])
def convert(thread_id):
    """Staff: turn a forum thread into a ticket for its author (policy 4.6)."""
    thread = _thread(thread_id)
    try:
        ticket = assign.convert_thread(thread, current_user)
    except assign.AssignError as exc:
        return _thread_page(thread, {"convert": exc.message}, 409)
    flash(f"Converted into ticket #{ticket.id} for {thread.author.name}.", "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket.id))


@bp.route("/canned", endpoint="canned")
def canned_list():
    """Staff: the canned replies; admins may edit them."""
    return render("staff/canned.html", replies=canned.all_replies(), errors={}, editing=None, form={})



@bp.route("/canned/<int:reply_id>", methods=["POST"])
def canned_edit(reply_id):
    """Admins: save a canned reply's title and body (404 for other staff)."""
    if not current_user.is_admin:  # policy data edits are for admins
        abort(404)
    reply_obj = CannedReply.get_or_none(CannedReply.id == reply_id) or abort(404)
    try:
        canned.update(reply_obj.id, request.form.get("title"), request.form.get("body"), current_user)
    except canned.CannedError as exc:
        return render("staff/canned.html", status=400, replies=canned.all_replies(),
                      errors={exc.field: exc.message}, editing=reply_obj.id, form=request.form)
    flash(f"Saved “{request.form.get('title', '').strip()}”.", "success")
    return redirect(url_for("staff.canned") + f"#canned-{reply_obj.id}")
