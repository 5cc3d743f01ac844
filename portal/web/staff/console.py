"""The staff console: the shared queue, working a ticket, canned replies (forum threads: threads.py)."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.db import utcnow
from portal.models import CannedReply, Message, Release, User
from portal.services import assign, canned, get_policy, presence, queue, staff_partner, ticket_views, tickets
from portal.services.errors import ServiceError
from portal.web.forms.staff import (ActionForm, AssignForm, CannedForm, CannedPickForm, NoteForm,
                                    QueueFilterForm, ReplyForm, StatusForm)
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
    form, page, filters = QueueFilterForm(request.args), queue.QueuePage(), queue.Filters()
    if form.validate():
        filters = form.filters(current_user)
        page = queue.queue_page(filters, form.after.data or None)
    after = form.after.data if not form.after.errors else ""
    # the depth is for the heading only; the poll's URL carries the filters and cursor, never the
    # open rows (staff.js adds those still open to each poll, and they are rendered open)
    return render("staff/queue.html", block="rows", status=400 if form.has_errors else 200, page=page,
                  filters=filters, form=form,
                  depth=queue.queue_depth(filters) if not form.has_errors and not wants_fragment() else {},
                  after=form.after.data, open_rows=form.open.data or frozenset(), view_labels=ticket_views.VIEW_LABELS,
                  poll_url=url_for("staff.queue", **filters.as_args(), **({"after": after} if after else {})),
                  presence=presence.on_rows(page.rows, current_user))  # who else is on each row's page


def _ticket(ticket_id):
    """The ticket with its requester and assignee, and a partner ticket's partner and license, or 404."""
    return tickets.get_ticket_for(current_user, ticket_id, with_people=True)


def _ticket_ctx(ticket, forms=None, notice=None, query=None):
    """Everything the ticket page and its fragments show; `forms` are the submitted ones (with their
    errors) that take the place of fresh ones; `query` the page's own query (the canned reply picked)."""
    policy, now = get_policy(), utcnow()
    due, opened = ticket.due_at, ticket.opened_at
    messages = (Message.select(Message, User).join(User, on=(Message.author == User.id))
                .where(Message.ticket == ticket.id).order_by(Message.created_at, Message.id))
    replies, staff, forms = canned.all_replies(), list(User.staff_members()), forms or {}
    picker = CannedPickForm(query, replies=replies)
    picker.validate()  # an unknown canned reply is none
    chosen = next((c for c in replies if picker.canned.data and c.key == picker.canned.data), None)
    fresh = {
        "action": ActionForm(formdata=None),
        "assign": AssignForm(formdata=None, staff=staff, agent=ticket.assignee_id),
        "status": StatusForm(formdata=None, status=ticket.status),
        "reply": ReplyForm(formdata=None, body=chosen.body if chosen else ""),
        "note": NoteForm(formdata=None),
    }
    # the panels are part of the whole page only; an htmx fragment of this page never shows them
    panels = None if wants_fragment() else ops.panels_context(ticket, staff)
    return dict(
        ticket=ticket, messages=list(messages), notice=notice, panels=panels, picker=picker,
        forms=fresh | forms, partner=staff_partner.partner_ticket_facts(ticket, now),
        verdict=policy.judge_version(ticket.version, Release.versions(ticket.product)),
        due=due, state=policy.sla_state(opened, due, now), explanation=policy.explain_rank(
            "ticket", ticket.level, due, now), chosen=chosen)


def _after(ticket_id, block, message):
    """htmx gets the refreshed component; a plain form post goes back to the page."""
    if wants_fragment():
        return render("staff/ticket.html", block=block, **_ticket_ctx(_ticket(ticket_id), notice=message))
    flash(message, "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket_id))


def _refused(ticket_id, block, name, form, exc=None):
    """The component again with the form's errors (and the service's refusal `exc` on it)."""
    if exc is not None:
        form.apply(exc.errors)
    return render("staff/ticket.html", block=block, status=exc.status if exc is not None else 400,
                  **_ticket_ctx(_ticket(ticket_id), forms={name: form}))


@bp.route("/tickets/<int:ticket_id>")
def ticket(ticket_id):
    """Staff: work one ticket: conversation, SLA clock, version verdict, assignment, reply and note forms."""
    return render("staff/ticket.html", block="reply_form", **_ticket_ctx(_ticket(ticket_id), query=request.args))


def _assignment_refused(ticket_id, exc):
    """The assignment component with the refusal of a claim or an unassign (who holds it, closed)."""
    ticket = _ticket(ticket_id)
    form = AssignForm(formdata=None, staff=User.staff_members(), agent=ticket.assignee_id).apply(exc.errors)
    return render("staff/ticket.html", block="assignment", status=exc.status,
                  **_ticket_ctx(ticket, forms={"assign": form}))


@bp.route("/tickets/<int:ticket_id>/claim", methods=["POST"])
def claim(ticket_id):
    """Staff: take an unassigned ticket for yourself; 409 with the holder's name if someone was faster."""
    _ticket(ticket_id)
    ActionForm.posted()
    try:
        assign.claim(ticket_id, current_user)
    except ServiceError as exc:  # lost the race (say who has it), or the ticket is closed
        return _assignment_refused(ticket_id, exc)
    return _after(ticket_id, "assignment", "You have claimed this ticket.")


@bp.route("/tickets/<int:ticket_id>/assign", methods=["POST"])
def assign_to(ticket_id):
    """Staff: assign a ticket to a staff member."""
    _ticket(ticket_id)
    form = AssignForm(staff=User.staff_members())
    if not form.validate_on_submit():
        return _refused(ticket_id, "assignment", "assign", form)
    try:
        agent = assign.assign(ticket_id, current_user, form.agent.data)
    except ServiceError as exc:
        return _refused(ticket_id, "assignment", "assign", form, exc)
    return _after(ticket_id, "assignment", f"Assigned to {agent.name}.")


@bp.route("/tickets/<int:ticket_id>/unassign", methods=["POST"])
def unassign(ticket_id):
    """Staff: put a ticket back in the pool."""
    _ticket(ticket_id)
    ActionForm.posted()
    try:
        assign.unassign(ticket_id, current_user)
    except ServiceError as exc:  # a closed ticket keeps its assignee
        return _assignment_refused(ticket_id, exc)
    return _after(ticket_id, "assignment", "The ticket is back in the pool.")


@bp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
def status(ticket_id):
    """Staff: set a ticket's status."""
    ticket, form = _ticket(ticket_id), StatusForm()
    if not form.validate_on_submit():
        return _refused(ticket_id, "status", "status", form)
    try:
        assign.change_status(ticket, current_user, form.status.data)
    except ServiceError as exc:
        return _refused(ticket_id, "status", "status", form, exc)
    return _after(ticket_id, "status", f"Status set to {form.status.data}.")


def _respond(ticket_id, internal):
    ticket = _ticket(ticket_id)
    form = NoteForm() if internal else ReplyForm()
    if form.validate_on_submit():
        try:
            assign.respond(ticket, current_user, form.note.data if internal else form.body.data,
                           internal=internal)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash("Internal note added." if internal else "Reply sent to the customer.", "success")
            return redirect(url_for("staff.ticket", ticket_id=ticket_id))
    return render("staff/ticket.html", status=400,
                  **_ticket_ctx(ticket, forms={"note" if internal else "reply": form}))


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
def reply(ticket_id):
    """Staff: send the customer a reply on a ticket."""
    return _respond(ticket_id, internal=False)


@bp.route("/tickets/<int:ticket_id>/note", methods=["POST"])
def note(ticket_id):
    """Staff: add an internal note to a ticket, which the customer never sees."""
    return _respond(ticket_id, internal=True)


def _canned_page(forms=None, status=200):
    """The canned replies; an admin gets a form per reply (`forms`: the submitted one, by reply id)."""
    replies, forms = canned.all_replies(), forms or {}
    if current_user.is_admin:
        forms = {c.id: forms.get(c.id) or CannedForm(formdata=None, obj=c, reply_id=c.id) for c in replies}
    return render("staff/canned.html", status=status, replies=replies, forms=forms)


@bp.route("/canned", endpoint="canned")
def canned_list():
    """Staff: the canned replies; admins may edit them."""
    return _canned_page()


@bp.route("/canned/<int:reply_id>", methods=["POST"])
def canned_edit(reply_id):
    """Admins: save a canned reply's title and body (404 for other staff)."""
    if not current_user.is_admin:  # policy data edits are for admins
        abort(404)
    reply_obj = CannedReply.get_or_none(CannedReply.id == reply_id) or abort(404)
    form = CannedForm(reply_id=reply_obj.id)
    if form.validate_on_submit():
        try:
            canned.update(reply_obj.id, form.title.data, form.body.data, current_user)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Saved “{form.title.data.strip()}”.", "success")
            return redirect(url_for("staff.canned") + f"#canned-{reply_obj.id}")
    return _canned_page({reply_obj.id: form}, status=400)
