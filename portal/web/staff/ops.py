"""Staff operations: bugs (5.2, 5.3), remote sessions and credentials (8.1-8.5), audit log, dashboard."""
from collections import namedtuple

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal import prepared
from portal.models import Bug, RemoteSession, User
from portal.services import audit, bugs, dashboard, get_policy, sessions, tickets
from portal.services.errors import NotFound, ServiceError
from portal.services.kept import kept as kept_list
from portal.web.forms.staff import (ActionForm, AuditFilterForm, BugFilterForm, BugForm, BugLinkForm,
                                    PanelActionForm, RescheduleForm, ScheduleForm)
from portal.web.forms.lazy import LazyForms
from portal.web.render import render, wants_fragment
from portal.web.security import safe_next
from portal.web.staff import bp

PANELS = "staff/session_ticket.html"
StaffMember = namedtuple("StaffMember", "id name email")  # what the forms show of each


def staff_choices():
    """The staff members the assignment and session forms offer, by email: (id, name, email) rows,
    plain data a fragment's key may hold (one query, no models built)."""
    def query():
        return (User.select(User.id, User.display_name, User.email).where(User.role.in_(("staff", "admin")))
                .order_by(User.email).tuples())
    return tuple(StaffMember(sid, User.name_of(name, email), email)
                 for sid, name, email in prepared.rows("staff choices", query))


def shown_staff():
    """staff_choices() as the pages draw them: kept a few seconds per worker (services/kept.py; a
    new agent is offered seconds later); the POSTs validate against staff_choices() itself."""
    return kept_list("staff choices", staff_choices)


def _offered_bugs():
    return tuple((b.id, b.title) for b in bugs.open_bugs())


def panels_context(ticket, staff=None, forms=None, back=None, viewer=None, token=None):
    """What the staff ticket panels need: bug, bugs to pick, sessions, credentials, who may reveal,
    and their forms (`forms`: a submitted one, by name, with its errors; `back`: where a panel form
    returns without htmx, by default this page). `viewer` (the signed-in user itself, not the
    proxy) and `token` (the request's CSRF token) when the page has them already.

    A fixed number of queries however many sessions, credentials and views; `staff` is the page's
    own shown_staff() when it has them already. The staff and the open bugs offered are kept a few
    seconds per worker (services/kept.py); a POST validates against its own fresh read, and the
    service checks the bug picked. `key` is everything the panels show but the notice and the CSRF
    token (their HTML is kept per worker for it), None with a submitted form.
    """
    req = request._get_current_object()  # the request itself: each read through the proxy looks it up again
    if back is None:
        back = req.path if req.method == "GET" else url_for("staff.ticket", ticket_id=ticket.id)
    staff = shown_staff() if staff is None else staff
    viewer = current_user._get_current_object() if viewer is None else viewer
    bug = prepared.first("bug", lambda bug_id: Bug.select().where(Bug.id == bug_id).limit(1),
                         ticket.bug_id) if ticket.bug_id else None
    all_sessions = sessions.sessions_of(ticket)
    active = sessions.newest(all_sessions, sessions.ACTIVE)
    offered = kept_list("open bugs", _offered_bugs) if bug is None else ()
    moved = (active.agent_id, active.starts_at, active.duration_minutes) if active is not None else None
    agent = viewer.id

    def fresh(make):
        def made():
            form = make()
            form.next.data = back
            return form
        return made
    lazy = LazyForms(forms)
    lazy.add("action", fresh(lambda: PanelActionForm(formdata=None)), back)
    lazy.add("bug", fresh(lambda: BugLinkForm(formdata=None).offer(Bug(id=i, title=t) for i, t in offered)),
             back, offered)
    lazy.add("schedule", fresh(lambda: ScheduleForm(formdata=None, staff=staff, agent=agent)), back, staff, agent)
    lazy.add("reschedule", fresh(lambda: RescheduleForm(formdata=None, staff=staff, session=active)),
             back, staff, moved)
    for name, form in (forms or {}).items():  # a submitted form: its choices and way back as a fresh one's
        if name == "bug":
            form.offer(Bug(id=i, title=t) for i, t in offered)
        form.next.data = back
    credentials = sessions.credential_rows(ticket, viewer, all_sessions)
    eligible = sessions.eligibility(ticket)
    # moments are keyed as the instants they are: pages write them in the policy's zone or the
    # viewer's, which the key holds
    key = None if forms else (
        req.script_root, ticket.id, ticket.is_open, getattr(viewer, "time_zone", None),
        (bug.id, bug.title, bug.status, bug.eta, bug.fixed_in, bug.workaround) if bug else None,
        tuple((s.id, s.status, s.starts_at, s.duration_minutes, s.agent.name if s.agent else None, s.tool,
               s.confirmed_at, s.change_requested_at, s.change_note) for s in all_sessions),
        (bool(eligible), eligible.reason, eligible.clause),
        tuple((row["credential"].id, row["credential"].ciphertext is not None, row["credential"].created_at,
               row["credential"].destroyed_at, bool(row["decision"]), row["decision"].reason,
               row["decision"].clause, tuple((v.viewer.name, v.viewed_at) for v in row["views"]))
              for row in credentials),
        *(lazy.key(name) for name in ("action", "bug", "schedule", "reschedule")))
    return {
        "bug": bug,
        "sessions": all_sessions,
        "active": active,
        "eligible": eligible,
        "credentials": credentials,
        "forms": lazy,
        "key": key,
        "token": generate_csrf() if token is None else token,  # the request's one CSRF token, a slot of the kept panels
    }


def _ticket(ticket_id):
    return tickets.get_ticket_for(current_user, ticket_id)


def _panels(ticket, form, notice="", refused=None):
    """After a panel action (its submitted `form`): the panels fragment (htmx), the page with the
    refused form (`refused`: {name: form} with its errors), or a redirect back."""
    back = safe_next(form.next.data, url_for("staff.ticket", ticket_id=ticket.id))
    if wants_fragment():
        return render(PANELS, block="panels", ticket=ticket, panels=panels_context(ticket, forms=refused, back=back),
                      panel_notice=notice)
    if refused:
        return render(PANELS, ticket=ticket, panels=panels_context(ticket, forms=refused, back=back), status=400)
    flash(notice, "success")
    return redirect(safe_next(form.next.data, url_for("staff.ticket", ticket_id=ticket.id)))


@bp.get("/tickets/<int:ticket_id>/ops")
def ticket_ops(ticket_id):
    """Staff: a ticket's bug, remote-session and credential panels as an htmx fragment; a plain GET
    goes to the ticket page, which shows them (one page per ticket)."""
    ticket = _ticket(ticket_id)
    if not wants_fragment():
        return redirect(url_for("staff.ticket", ticket_id=ticket.id, _anchor="ticket-panels"))
    return render(PANELS, block="panels", ticket=ticket, panels=panels_context(ticket))


@bp.post("/tickets/<int:ticket_id>/bug")
def link_bug(ticket_id):
    """Staff: link a ticket to a new or existing bug (policy 5.2)."""
    ticket, form = _ticket(ticket_id), BugLinkForm()
    if not form.validate_on_submit():
        return _panels(ticket, form, refused={"bug": form})
    try:
        bug = bugs.link(ticket, current_user, form.existing_bug, form.bug_fields())
    except ServiceError as exc:
        return _panels(ticket, form, refused={"bug": form.apply(exc.errors)})
    return _panels(ticket, form, notice=f"Ticket linked to bug #{bug.id}.")


@bp.post("/tickets/<int:ticket_id>/bug/unlink")
def unlink_bug(ticket_id):
    """Staff: remove a ticket's bug link."""
    ticket, form = _ticket(ticket_id), PanelActionForm.posted()
    bugs.unlink(ticket, current_user)
    return _panels(ticket, form, notice="Bug link removed.")


@bp.post("/tickets/<int:ticket_id>/sessions")
def schedule_session(ticket_id):
    """Staff: schedule a remote session on a ticket within support hours (policy 8.3, 1.5)."""
    ticket, form = _ticket(ticket_id), ScheduleForm(staff=staff_choices())
    if not form.validate_on_submit():
        return _panels(ticket, form, refused={"schedule": form})
    try:
        session = sessions.schedule(ticket.id, current_user, form.agent.data, form.starts_on.data,
                                    form.starts_time.data, form.tool.data, form.other_tool.data,
                                    form.duration_minutes.data)
    except ServiceError as exc:
        return _panels(ticket, form, refused={"schedule": form.apply(exc.errors)})
    return _panels(ticket, form, notice=f"Session scheduled for {get_policy().time_text(session.starts_at)}, "
                                        f"{session.duration_minutes} minutes; the requester was sent an invitation.")


@bp.post("/sessions/<int:session_id>/reschedule")
def reschedule_session(session_id):
    """Staff: move a scheduled session to a new start, length or agent (same rules); a new invitation goes out."""
    session = RemoteSession.get_or_none(RemoteSession.id == session_id) or abort(404)
    ticket, form = _ticket(session.ticket_id), RescheduleForm(staff=staff_choices())
    if not form.validate_on_submit():
        return _panels(ticket, form, refused={"reschedule": form})
    try:
        session = sessions.reschedule(session.id, current_user, form.agent.data, form.starts_on.data,
                                      form.starts_time.data, form.duration_minutes.data)
    except ServiceError as exc:
        return _panels(ticket, form, refused={"reschedule": form.apply(exc.errors)})
    return _panels(ticket, form, notice=f"Session moved to {get_policy().time_text(session.starts_at)}, "
                                        f"{session.duration_minutes} minutes; the requester was sent the new time.")


@bp.post("/sessions/<int:session_id>/<any(start, end, cancel):action>")
def session_action(session_id, action):
    """Staff: start, end or cancel a remote session; ending or cancelling destroys its credentials."""
    session = RemoteSession.get_or_none(RemoteSession.id == session_id) or abort(404)
    form = PanelActionForm.posted()
    try:
        session = getattr(sessions, action)(session.id, current_user)
    except ServiceError as exc:
        return _panels(session.ticket, form, refused={"action": form.apply(exc.errors)})
    done = {"start": "Session started.", "end": "Session ended; its credentials are destroyed.",
            "cancel": "Session cancelled; its credentials are destroyed and the requester was told."}[action]
    return _panels(session.ticket, form, notice=done)


@bp.post("/credentials/<int:credential_id>/reveal")
def reveal_credential(credential_id):
    """The session's agent: decrypt a customer's credentials, logging the view, never cached (policy 8.5)."""
    error = None
    try:
        decision, values = sessions.reveal(credential_id, current_user)
    except NotFound:
        raise  # answered as 404 by the app's handler
    except ServiceError as exc:  # destroyed meanwhile, or not readable with the current key
        decision, values, error = None, None, " ".join(exc.errors.values())
    status = 200 if decision or wants_fragment() else (409 if error else 403)
    response = render("staff/session_credential.html", block="values", decision=decision, values=values,
                      error=error, credential_id=credential_id, status=status)
    response.headers["Cache-Control"] = "no-store"  # policy 8.5: never kept by a browser or proxy
    response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/bugs", methods=["GET", "POST"])
def bug_list():
    """Staff: the bugs, filtered by status and paged, and a form to record one."""
    form = BugForm()
    if form.validate_on_submit():
        try:
            bug = bugs.create(current_user, form.bug_fields())
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Bug #{bug.id} recorded.", "success")
            return redirect(url_for("staff.bug_detail", bug_id=bug.id))
    wanted = BugFilterForm(request.args)
    wanted.validate()  # an unknown status lists every bug
    found = bugs.listing(wanted.status.data, wanted.page.data)
    return render("staff/bugs.html", block="list", rows=found.rows, has_next=found.has_next, page=found.page,
                  filter_form=wanted, form=form, status=400 if form.has_errors else 200)


@bp.route("/bugs/<int:bug_id>", methods=["GET", "POST"])
def bug_detail(bug_id):
    """Staff: one bug and its tickets; a new ETA or a shipped fix replies on the open linked tickets (5.3)."""
    bug = Bug.get_or_none(Bug.id == bug_id) or abort(404)
    form = BugForm(obj=bug if request.method == "GET" else None)  # a field left out of a post is empty
    if form.validate_on_submit():
        try:
            bug, replies = bugs.update(bug.id, current_user, form.bug_fields())
        except ServiceError as exc:
            form.apply(exc.errors)
        else:
            flash(f"Bug #{bug.id} saved." + (f" {replies} linked ticket(s) got a reply." if replies else ""),
                  "success")
            return redirect(url_for("staff.bug_detail", bug_id=bug.id))
    return render("staff/bugs_detail.html", bug=bug, tickets=bugs.linked_tickets(bug), form=form,
                  status=400 if form.has_errors else 200)


@bp.get("/audit")
def audit_log():
    """Staff: the audit log, newest first, filtered by action and paged."""
    known = audit.actions()
    form = AuditFilterForm(request.args, actions=known)
    form.validate()  # an unknown action lists every entry
    found = audit.entries(form.action.data, form.page.data)
    return render("staff/audit.html", block="rows", rows=found.rows, has_next=found.has_next, page=found.page,
                  action=form.action.data, form=form)


@bp.get("/dashboard")
def overview():
    """Staff: the dashboard: SLA met per support level over the window, and queue depth, as tables and bars."""
    sla, depth = dashboard.sla_by_level(), dashboard.queue_depth()
    return render("staff/dashboard.html", sla=sla, depth=depth, days=dashboard.WINDOW_DAYS,
                  sla_chart=dashboard.bars(sla, "percent", maximum=100),
                  depth_chart=dashboard.bars(depth, "total"))


from portal.web.staff import calendar  # noqa: E402,F401  (the sessions calendar adds its routes to bp)
