"""The staff console: the shared queue, working a ticket, canned replies (forum threads: threads.py)."""
from collections import namedtuple

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.db import utcnow
from portal.models import CannedReply, Release
from portal.services import (assign, canned, conversation, get_policy, presence, queue, requester, staff_partner,
                             ticket_views, tickets)
from portal.services.errors import ServiceError
from portal.services.kept import kept as kept_list
from portal.web.forms.staff import (ActionForm, AssignForm, CannedForm, CannedPickForm, NoteForm,
                                    QueueFilterForm, ReplyForm, StatusForm, UnassignForm)
from portal.web.forms.lazy import LazyForms
from portal.web.render import page_links, render, url_head, url_of, wants_fragment
from portal.web.staff import ops

from portal.web.staff import bp


@bp.route("/")
def home():
    """Staff: /staff goes to the queue."""
    return redirect(url_for("staff.queue"))


@bp.route("/queue", endpoint="queue")
def queue_list():
    """Staff: the shared queue of tickets and forum threads in policy order, filtered and paged."""
    (form, valid), page, filters = QueueFilterForm.validated(request.args), queue.QueuePage(), queue.Filters()
    if valid:
        filters = form.filters(current_user)
        page = queue.queue_page(filters, form.after.data or None)
    after = form.after.data if not form.after.errors else ""
    whole = not wants_fragment()  # the poll is the rows only: no heading, no filter form
    # the depth is for the heading only; the poll's URL carries the filters and cursor, never the
    # open rows (staff.js adds those still open to each poll, and they are rendered open)
    return render("staff/queue.html", block="rows", status=400 if form.has_errors else 200, page=page,
                  filters=filters, form=form, form_key=_form_key(form, filters),
                  depth=queue.queue_depth(filters) if not form.has_errors and whole else {},
                  after=form.after.data, open_rows=form.open.data or frozenset(), view_labels=ticket_views.VIEW_LABELS,
                  view_key=tuple(ticket_views.VIEW_LABELS.items()),  # what the tabs show
                  poll_url=url_of("staff.queue", **filters.as_args(), **({"after": after} if after else {})),
                  presence=presence.on_rows(page.rows, current_user))  # who else is on each row's page


def _form_key(form, filters):
    """What the filter form shows: its values, the partner list and its address; None for a form
    with errors (drawn afresh with them)."""
    if form.has_errors:
        return None
    shown = form.__dict__.get("_shown_partners")  # the choices are set when the form is made, and
    if shown is None:                              # QueueFilterForm.validated keeps the form per worker
        shown = form._shown_partners = tuple((c.value, c.label) for c in form.partner.choices)
    return (url_of("staff.queue"), filters.level, filters.product, filters.assignee, filters.breached,
            filters.partner, shown)


@bp.route("/queue/why/<row_key>", endpoint="queue_why")
def queue_why(row_key):
    """Staff: one queue row's "Why is this here?" (htmx, when the row's explanation is opened);
    without htmx, the queue with that row open (404 for a key that names no request)."""
    if not wants_fragment():
        queue.queue_row(row_key)  # NotFound: 404
        return redirect(url_for("staff.queue", open=row_key, _anchor=f"why-{row_key}"))
    return render("staff/queue.html", block="why", row=queue.queue_row(row_key))


PageKeys = namedtuple("PageKeys", "top reply note facts assign status")


def _viewer():
    """The signed-in user itself: each read through the `current_user` proxy looks the user up in
    the request's context again (about as much work as a small query), and a page reads it often."""
    return current_user._get_current_object()


def _ticket(ticket_id, viewer=None):
    """The ticket with its requester and assignee, and a partner ticket's partner and license, or 404."""
    return tickets.get_ticket_for(viewer or _viewer(), ticket_id, with_people=True)


def _reply_status(ticket):
    """What "send and set status" offers first: waiting (a reply waits on the customer), or a
    closed ticket's own status, which a staff reply leaves alone."""
    return "waiting" if ticket.is_open else ticket.status


def _ticket_ctx(ticket, forms=None, notice=None, query=None, held=None, confirm=None, viewer=None):
    """Everything the ticket page and its fragments show; `forms` are the submitted ones (with their
    errors) that take the place of fresh ones; `query` the page's own query (the canned reply picked,
    and from the htmx picker the revision the reply form had); `held` a reply held by the
    optimistic check; `confirm` the take-over step of the assignment; `viewer` the signed-in user
    (_viewer()) when the caller has it.

    The forms are built when drawn (LazyForms): the page keeps their HTML per worker for their
    inputs, so a page whose pieces are kept builds none."""
    policy, now, viewer = get_policy(), utcnow(), viewer or _viewer()
    due, opened = ticket.due_at, ticket.opened_at
    messages = conversation.shown_to(ticket, viewer)  # plain rows, files and (staff) notes included
    last_seen = messages[-1].id if messages else 0
    # the reference lists drawn are kept a few seconds per worker (services/kept.py): a POST
    # validates against its own fresh read, and a pick reads the canned replies afresh
    replies = tuple(canned.titles()) if query else kept_list("canned titles", _canned_titles)
    staff = ops.shown_staff()
    forms = LazyForms(forms)
    choices = tuple(replies)  # (key, title) rows
    picker = CannedPickForm(query, replies=replies) if query else None  # none asked: none picked
    if picker is not None:
        picker.validate()  # an unknown canned reply is none
    picked = picker.canned.data if picker is not None else ""
    chosen = next((c for c in canned.all_replies() if c.key == picked), None) if picked else None
    body = canned.fill(chosen.body, canned.placeholder_values(ticket, viewer)) if chosen else ""
    kept = picker is not None and picker.revision.data is not None  # the htmx picker keeps what the agent saw
    forms.add("picker", lambda: picker if picker is not None else CannedPickForm(None, replies=replies),
              choices, chosen.key if chosen else "")
    reply = dict(body=body, status=_reply_status(ticket), revision=picker.revision.data if kept else ticket.revision,
                 seen=picker.seen.data if kept else last_seen)
    forms.add("reply", lambda: ReplyForm(formdata=None, **reply), *reply.values())
    forms.add("action", lambda: ActionForm(formdata=None))
    forms.add("assign", lambda: AssignForm(formdata=None, staff=staff), staff)  # nobody preselected
    forms.add("status", lambda: StatusForm(formdata=None, status=ticket.status), ticket.status)
    forms.add("note", lambda: NoteForm(formdata=None))
    whole = not wants_fragment()  # panels and the requester panel are part of the whole page only
    pages, files, tickets_at = _heads()
    here = pages + str(ticket.id)  # its forms post to here + "/reply" etc.
    token = generate_csrf()  # the request's one CSRF token, the pieces' slot (the panels' too)
    # the SLA state and the time left from one clock, the due and opening times' business
    # positions remembered as the queue's are (sla_clocks equals sla_clock: tests/policy)
    sla = policy.sla_clocks([(opened, due)], now)[0]
    assignee = (ticket.assignee.email, ticket.assignee.name) if ticket.assignee else None
    verdict = policy.judge_version(ticket.version, kept_list("release versions", _versions, ticket.product))
    explanation = policy.explain_rank("ticket", ticket.level, due, now, left=sla.left)
    conversation_rows = tuple(messages)
    # the keys of the page's kept pieces (templates/staff/ticket.html): what each shows; the
    # template makes a piece's key None where it is drawn afresh (a notice, a held reply)
    keys = PageKeys(
        top=(here, ticket.subject, files + f"{ticket.id}/attachments/", conversation_rows, forms.key("picker")),
        reply=forms.key("reply", here), note=forms.key("note", here),
        facts=(ticket.product, ticket.version, ticket.version_status, verdict, ticket.is_english, ticket.language,
               ticket.first_response_at, ticket.first_response_met, sla.state, due, explanation, ticket.level),
        assign=forms.key("assign", here, ticket.status, assignee), status=forms.key("status", here))
    panels = ops.panels_context(ticket, staff, viewer=viewer, token=token) if whole else None
    requester_panel = requester.requester_facts(ticket, now) if whole else None
    partner = staff_partner.partner_ticket_facts(ticket, now)
    # the whole content (the pieces' keys and what lies between them), None where a piece is drawn
    # afresh; the template makes it None for a held reply as well
    inner = (keys.reply, keys.note, keys.assign, keys.status, panels["key"] if panels else None)
    whole_key = (None if None in inner or notice or confirm
                 else (keys, inner[-1], tickets_at, requester_panel, partner))
    return dict(
        ticket=ticket, here=here, token=token, keys=keys, assignee=assignee,
        files_at=files + f"{ticket.id}/attachments/",
        tickets_at=tickets_at,  # the requester's other tickets: + id
        messages=messages, conversation=conversation_rows, notice=notice, held=held, confirm=confirm,
        panels=panels, requester=requester_panel, forms=forms, partner=partner, whole_key=whole_key,
        verdict=verdict, due=due, state=sla.state, explanation=explanation, chosen=chosen, last_seen=last_seen)


def _heads():
    """The heads of the page's addresses (a staff ticket page, a ticket's files, the staff's ticket
    links: each + an id), kept per worker and script root as url_head keeps one (three lookups
    of it were a twentieth of the page's own work)."""
    kept = current_app._get_current_object().extensions.setdefault("staff ticket heads", {})
    root = request._get_current_object().script_root
    found = kept.get(root)
    if found is None:
        if len(kept) > 16:
            kept.clear()
        found = kept[root] = (url_head("staff.ticket", "ticket_id"), url_head("tickets.detail", "ticket_id"),
                              page_links()["staff.tickets"] + "/")
    return found


def _canned_titles():
    return tuple(canned.titles())


def _versions(product):
    return tuple(Release.versions(product))


def _after(ticket_id, block, message, **extra):
    """htmx gets the refreshed component; a plain form post goes back to the page."""
    if wants_fragment():
        return render("staff/ticket.html", block=block,
                      **_ticket_ctx(_ticket(ticket_id), notice=message) | extra)
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
    """Staff: the one page of a ticket: the conversation with its files and notes, the reply with
    files, canned replies and a status, and beside it the requester, assignment, status, bug,
    remote-session and credential panels."""
    viewer = _viewer()
    return render("staff/ticket.html", block="reply_form",
                  **_ticket_ctx(_ticket(ticket_id, viewer), query=request._get_current_object().args, viewer=viewer))


def _assignment_refused(ticket_id, exc):
    """The assignment component with the refusal of a claim or an unassign (who holds it, closed)."""
    ticket = _ticket(ticket_id)
    form = AssignForm(formdata=None, staff=ops.staff_choices()).apply(exc.errors)
    return render("staff/ticket.html", block="assignment", status=exc.status,
                  **_ticket_ctx(ticket, forms={"assign": form}))


def _confirm(ticket_id, move, exc, agent_id=None):
    """The take-over step (409): "Ann holds this ticket. Take it over?", posting the same move again
    with the holder named, so it works without JavaScript and never takes it from someone else."""
    step = {"move": move, "holder": exc.holder, "message": exc.message, "agent": agent_id}
    return render("staff/ticket.html", block="assignment", status=409,
                  **_ticket_ctx(_ticket(ticket_id), confirm=step))


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
    """Staff: assign a ticket to a staff member; taking it from another agent asks first, then mails them."""
    _ticket(ticket_id)
    form = AssignForm(staff=ops.staff_choices())
    if not form.validate_on_submit():
        return _refused(ticket_id, "assignment", "assign", form)
    try:
        agent = assign.assign(ticket_id, current_user, form.agent.data, form.holder.data or None)
    except ServiceError as exc:
        if "confirm" in exc.errors:
            return _confirm(ticket_id, "assign", exc, form.agent.data)
        return _refused(ticket_id, "assignment", "assign", form, exc)
    return _after(ticket_id, "assignment", f"Assigned to {agent.name}.")


@bp.route("/tickets/<int:ticket_id>/unassign", methods=["POST"])
def unassign(ticket_id):
    """Staff: put a ticket back in the pool; another agent's ticket asks first, then mails them."""
    _ticket(ticket_id)
    form = UnassignForm.posted()
    try:
        assign.unassign(ticket_id, current_user, form.holder.data or None)
    except ServiceError as exc:  # held by another agent (confirm), or closed: it keeps its assignee
        if "confirm" in exc.errors:
            return _confirm(ticket_id, "unassign", exc)
        return _assignment_refused(ticket_id, exc)
    return _after(ticket_id, "assignment", "The ticket is back in the pool.")


@bp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
def status(ticket_id):
    """Staff: set a ticket's status."""
    ticket, form = _ticket(ticket_id), StatusForm()
    if not form.validate_on_submit():
        return _refused(ticket_id, "status", "status", form)
    seen = ticket.revision
    try:
        assign.change_status(ticket, current_user, form.status.data)
    except ServiceError as exc:
        return _refused(ticket_id, "status", "status", form, exc)
    # the reply form moves on past this agent's own change only, never past someone else's
    own = form.revision.data is not None and form.revision.data == seen and ticket.revision == seen + 1
    return _after(ticket_id, "status", f"Status set to {form.status.data}.",
                  reply_revision=ticket.revision if own else None)


def _held(ticket_id, form):
    """A reply the optimistic check held: the page (409) with what landed since the agent looked,
    the text kept, and the form moved on to the current revision, so "Send anyway" sends it."""
    ticket = _ticket(ticket_id)
    ctx = _ticket_ctx(ticket, forms={"reply": form})
    news = [m for m in ctx["messages"] if m.id > (form.seen.data or 0)]
    # htmx swaps only the notice into the form (its files stay chosen); the revision moves on out of band
    ctx["held"] = {"messages": news, "status": ticket.status, "files": bool(form.files.data), "oob": wants_fragment()}
    form.revision.data, form.seen.data = ticket.revision, ctx["last_seen"]
    return render("staff/ticket.html", block="held", status=409, **ctx)


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
def reply(ticket_id):
    """Staff: send the customer a reply with files and set the status in the same step; held (409)
    when someone else's reply or status change landed since the agent opened the ticket."""
    ticket, form = _ticket(ticket_id), ReplyForm()
    if form.validate_on_submit():
        try:
            message = assign.respond(ticket, current_user, form.body.data, files=form.files.data,
                                     status=form.status.data or None, seen_revision=form.revision.data)
        except ServiceError as exc:
            if "revision" in exc.errors:
                return _held(ticket_id, form)
            form.apply(exc.errors)
        else:
            flash(f"Reply sent to the customer. Status: {ticket.status}.", "success")
            target = url_for("staff.ticket", ticket_id=ticket_id, _anchor=f"m{message.id}")
            if wants_fragment():  # the whole page changed (conversation, status, clock): load it again
                response = make_response("")
                response.headers["HX-Refresh"] = "true"
                return response
            return redirect(target)
    response = render("staff/ticket.html", block="reply_form", status=400, **_ticket_ctx(ticket, forms={"reply": form}))
    response.headers.update({"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"} if wants_fragment() else {})
    return response


@bp.route("/tickets/<int:ticket_id>/note", methods=["POST"])
def note(ticket_id):
    """Staff: add an internal note to a ticket, which the customer never sees."""
    ticket, form = _ticket(ticket_id), NoteForm()
    if form.validate_on_submit():
        try:
            assign.respond(ticket, current_user, form.note.data, internal=True)
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash("Internal note added.", "success")
            return redirect(url_for("staff.ticket", ticket_id=ticket_id))
    return render("staff/ticket.html", status=400, **_ticket_ctx(ticket, forms={"note": form}))


def _canned_page(forms=None, status=200):
    """The canned replies; an admin gets a form per reply (`forms`: the submitted one, by reply id)."""
    replies, forms = canned.all_replies(), forms or {}
    if current_user.is_admin:
        forms = {c.id: forms.get(c.id) or CannedForm(formdata=None, obj=c, reply_id=c.id) for c in replies}
    return render("staff/canned.html", status=status, replies=replies, forms=forms, placeholders=canned.PLACEHOLDERS)


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
