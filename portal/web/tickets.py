"""Customer and reseller tickets: list, file, follow, reply, close, remote support, attachments."""
import os
import secrets

from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from portal.models import Attachment, RemoteSession
from portal.services import (attachments, conversation, credentials, get_policy, ics, partner_tickets, session_answers,
                             session_rows, sessions, tickets)
from portal.services.access import account_facts
from portal.services.errors import Conflict, FieldError, NotFound, ServiceError
from portal.services.search import search_threads
from portal.web.extensions import limiter, user_key
from portal.web.forms.lazy import Blank
from portal.web.forms.tickets import (CredentialsForm, NewTicketForm, ParticipantForm, PartnerFilterForm, ReplyForm,
                                      SessionAnswerForm, SessionChangeForm, TicketFilterForm)
from portal.web.render import render, render_block, wants_fragment

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
bp.add_app_template_filter(partner_tickets.masked, "masked_license")  # 'RUPRO-...-9ZT3'
NEW, DETAIL = "tickets/new.html", "tickets/detail.html"
REPLY_FORM_ONLY = {"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"}


def per_account(value, what, methods=("POST",)):
    """A rate limit per account on an abusable endpoint; `what` is the sentence shown when hit."""
    return limiter.limit(value, key_func=user_key, methods=list(methods), error_message=what)


@bp.errorhandler(429)
def too_fast(exc):
    """A rate limit was hit: say which and that nothing was saved; the htmx reply form keeps the text."""
    message = f"{exc.description} Nothing was saved; please wait a while and try again."
    if wants_fragment() and request.endpoint == "tickets.reply":  # htmx swaps only 2xx answers
        try:
            ticket = tickets.get_ticket_for(current_user, request.view_args["ticket_id"])
        except NotFound:
            ticket = None
        if ticket is not None:
            form = ReplyForm(author=current_user).apply({"body": message})
            return _blocks(ticket, ["reply_form"], REPLY_FORM_ONLY, reply_form=form)
    return render_template("error.html", status=429, title="Too many requests", message=message), 429


def list_context():
    """The tickets the current user may see with filters (allowlisted by the filter form; a partner
    member's also search, end customer and filed by) and paging, plus their clocks."""
    member = current_user.is_reseller and current_user.partner_id is not None
    filters = PartnerFilterForm(request.args, author=current_user) if member else TicketFilterForm(request.args)
    wanted = filters.wanted
    found = tickets.list_for(current_user, page=filters.page.data, filters=filters.list_filters())
    rows = found.rows
    clocks = tickets.clocks_for(rows)
    return dict(tickets=rows, clocks=clocks, filters=filters, page=found.page, has_next=found.has_next,
                filter_args=wanted, rows_key=tuple((t, clocks[t.id]) for t in rows))


@bp.route("/")
@login_required
def index():
    """The customer's tickets, filtered and paged (resellers go to the Partner Area)."""
    if current_user.is_reseller:  # policy 3.2: resellers follow their tickets in the Partner Area
        # only the list's own filters go along: `_method`, `_scheme`, `_external` ... are url_for's
        kept = {k: v for k, v in request.args.items() if k in ("status", "product", "page")}
        return redirect(url_for("partner.home", **kept))
    return render("tickets/index.html", block="ticket_list", **list_context())


def _draft_checks(form):
    """policy 7.2 verdict (for a product the form accepts) and 4.2 English-only notice for a draft."""
    version = (form.version.data or "").strip()
    judged = version and form.validate_one("product")
    verdict = tickets.judge_version(form.product.data, version) if judged else None
    text = f"{form.subject.data or ''}\n{form.body.data or ''}".strip()
    lang = tickets.detect_language(text) if len(text) >= 20 else None
    return {"verdict": verdict, "lang": lang}


def _new_page(form, status=200):
    """The page around the form; a refused form keeps its submit token (a double click still files once)."""
    if not (form.has_errors and tickets.TOKEN_RE.match(form.submit_token.data or "")):
        form.submit_token.data = secrets.token_urlsafe(24)
    checks = _draft_checks(form)
    return render(NEW, form=form, decision=get_policy().may_open_ticket(account_facts(current_user)),
                  needs_policy=tickets.needs_policy_acceptance(current_user),
                  may_send_credentials=bool(tickets.remote_decision(current_user)), **checks, status=status)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@per_account("20 per hour", "You can file at most 20 tickets an hour.")
def new():
    """A customer files a ticket: the form, then the new ticket, or the form with messages beside the fields."""
    form = NewTicketForm.for_author(author=current_user)
    if form.validate_on_submit():
        try:
            ticket = tickets.create_ticket(  # the user itself: the service reads it often, not via the proxy
                current_user._get_current_object(), form.product.data, form.version.data, form.subject.data, form.body.data,
                files=form.files.data, submit_token=form.submit_token.data, accept_policy=form.accept_policy.data,
                end_customer=form.end_customer())
        except ServiceError as exc:
            form.refused(exc)
        else:
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    elif request.method == "GET" and form.for_partner:  # "file a ticket for this license" links here
        wanted = request.args.get("license", "")
        if any(choice[0] == wanted for choice in form.license.iter_choices()):
            form.license.data = wanted
    return _new_page(form, 400 if form.has_errors else 200)


@bp.route("/new/check", methods=["GET", "POST"])
@login_required
@per_account("60 per minute", "The draft was checked too often.", ("GET", "POST"))
def check():
    # POST keeps the draft's text out of access logs; GET works for a plain link
    """While a ticket is typed: version verdict (7.2) and English notice (4.2), as htmx hints or the form."""
    form = NewTicketForm.for_author(request.values, author=current_user)  # the POST's form, or a GET's query
    if not wants_fragment():
        return _new_page(form)
    return render(NEW, block="checks", **_draft_checks(form))


@bp.route("/new/licenses")
@login_required
@per_account("60 per minute", "The licenses were searched too often.", ("GET",))
def find_license():
    """policy 3.1 Decision: the partner's licenses whose key, delivery email or customer contains
    what is typed, as the form's license choice (htmx); without JavaScript the Licenses page searches."""
    form = NewTicketForm.for_author(request.args, author=current_user, meta={"csrf": False})
    if not form.for_partner:
        abort(404)
    if not wants_fragment():
        return redirect(url_for("partner.licenses", q=form.license_q.data))
    return render(NEW, block="license_choice", form=form)


@bp.route("/new/similar")
@login_required
@per_account("60 per minute", "Similar forum threads were looked up too often.", ("GET",))
def similar():
    """policy 1.3: forum threads like the subject being typed; never for resellers (3.2)."""
    if not wants_fragment():  # an htmx fragment only; a plain GET gets the form
        return redirect(url_for("tickets.new"))
    subject = request.args.get("q") or request.args.get("subject") or ""
    form = NewTicketForm(formdata=MultiDict({"subject": subject}), author=current_user, meta={"csrf": False})
    threads = []
    policy = get_policy()
    if (form.validate_one("subject") and policy.decisions.suggest_similar_threads
            and policy.may_see_forum(account_facts(current_user))):
        threads = search_threads(form.subject.data.strip(), limit=5)
    return render(NEW, block="similar",
                  threads=[(t, url_for("forum.thread", thread_id=t.id)) for t in threads])


def _status_context(ticket):
    """What the status, message and reply-form blocks need (no conversation, sessions or credentials).
    Unsubmitted forms are Blank: the page keeps their HTML and makes them only when it draws it."""
    open_now, next_opening = tickets.support_hours_now()
    user = current_user._get_current_object()
    return dict(ticket=ticket, clock=tickets.clock_for(ticket), open_now=open_now, next_opening=next_opening,
                oob=False, is_requester=ticket.requester_id == user.id,
                reply_form=Blank(lambda: ReplyForm(formdata=None, author=user)))


def _detail_context(ticket):
    session = session_rows.live_row(ticket)
    user = current_user._get_current_object()
    return _status_context(ticket) | dict(
        messages=conversation.shown_to(ticket, user), bug=tickets.bug_of(ticket),
        verdict=tickets.judge_version(ticket.product, ticket.version) if ticket.version else None,
        remote=tickets.remote_decision(user), session=session, remote_error=None,
        scheduled=scheduled_session(ticket, session), session_notice="",
        answer_form=Blank(lambda: SessionAnswerForm(formdata=None)),
        change_form=Blank(lambda: SessionChangeForm(formdata=None)),
        creds=credentials.received_for(ticket), cred_saved=False,
        cred_form=Blank(lambda: CredentialsForm(formdata=None, author=user, ticket=ticket)),
        **_partner_context(ticket))


def _partner_context(ticket, form=None):
    """A partner ticket's participants and the form that adds a colleague (policy 3.1 Decision)."""
    if ticket.partner_id is None:
        return dict(participants=[], participant_form=None)
    colleagues = partner_tickets.addable_colleagues(ticket, current_user)
    form = form or (ParticipantForm(formdata=None, colleagues=colleagues) if colleagues else None)
    return dict(participants=partner_tickets.participants(ticket), participant_form=form)


def _detail(ticket, status=200, block=None, **extra):
    if block and wants_fragment():
        status = 200  # htmx swaps only 2xx answers; the block carries the messages
    return render(DETAIL, block=block, status=status, **(_detail_context(ticket) | extra))


def _blocks(ticket, names, headers=None, **extra):
    """Several of the status, message and reply-form blocks in one htmx answer (later ones swap
    out of band); they need only the light context, not the whole conversation."""
    ctx = _status_context(ticket) | extra
    body = "".join(render_block(DETAIL, name, **(ctx | {"oob": i > 0})) for i, name in enumerate(names))
    response = make_response(body)
    response.vary.add("HX-Request")
    response.headers.update(headers or {})
    return response


@bp.route("/<int:ticket_id>")
@login_required
def detail(ticket_id):
    """One ticket for its requester: conversation, SLA clock, remote support, credentials. Staff have
    one page per ticket, the staff ticket page, and are sent there."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    if current_user.is_staff:
        return redirect(url_for("staff.ticket", ticket_id=ticket.id))
    return _detail(ticket)


@bp.route("/<int:ticket_id>/reply", methods=["POST"])
@login_required
@per_account("120 per hour", "You can send at most 120 replies an hour.")
def reply(ticket_id):
    """The requester or staff adds a reply to a ticket; htmx swaps the message, form and status in place."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    form = ReplyForm(author=current_user)
    if form.validate_on_submit():
        try:
            message = tickets.add_reply(ticket, current_user, form.body.data, internal=form.internal.data,
                                        files=form.files.data)
        except ServiceError as exc:
            form.refused(exc)
        else:
            if wants_fragment():
                return _blocks(ticket, ["message", "reply_form", "status"], m=message)
            flash("Your reply was added.", "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor=f"m{message.id}"))
    # policy 8.5: text refused for credentials keeps the typed text and points to their form
    may_send = bool(tickets.remote_decision(current_user)) and ticket.is_open
    kept = dict(reply_form=form, may_send_credentials=may_send)
    if wants_fragment():
        return _blocks(ticket, ["reply_form"], REPLY_FORM_ONLY, **kept)
    return _detail(ticket, 400, **kept)


@bp.route("/<int:ticket_id>/participants", methods=["POST"])
@login_required
@per_account("60 per hour", "Colleagues were added too often.")
def add_participant(ticket_id):
    """A partner member adds a colleague of the same partner to follow the ticket (404 for anyone else)."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    colleagues = partner_tickets.addable_colleagues(ticket, current_user)
    if ticket.partner_id is None or current_user.partner_id != ticket.partner_id:
        abort(404)
    form = ParticipantForm(colleagues=colleagues)
    if form.validate_on_submit():
        try:
            added = partner_tickets.add_participant(ticket, current_user, int(form.user.data))
        except Conflict as exc:
            flash(exc.message, "error")
        except FieldError as exc:
            form.apply(exc.errors)
        else:
            flash(f"{added.email} now follows this ticket.", "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="participants"))
        if not form.has_errors:
            return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="participants"))
    return _detail(ticket, 400, **_partner_context(ticket, form))


@bp.route("/<int:ticket_id>/<any(close, reopen):action>", methods=["POST"])
@login_required
@per_account("30 per hour", "You can close or reopen tickets at most 30 times an hour.")
def change_status(ticket_id, action):
    """The requester closes or reopens their ticket (404 for anyone else)."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    if ticket.requester_id != current_user.id:
        abort(404)
    try:
        (tickets.close_ticket if action == "close" else tickets.reopen_ticket)(ticket, current_user)
    except FieldError as exc:
        flash(exc.message, "error")
    else:
        flash("Ticket closed." if action == "close" else "Ticket reopened.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/remote", methods=["POST"])
@login_required
@per_account("30 per hour", "Remote support was asked for too often.")
def request_remote(ticket_id):
    """The requester asks for a remote support session on a ticket (policy 8.3)."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    try:
        tickets.request_remote(ticket, current_user)
    except FieldError as exc:  # a NotFound (not the requester) answers 404
        return _detail(ticket, 400, block="remote", remote_error=exc.message)
    if wants_fragment():
        return _detail(ticket, block="remote")
    flash("Remote support requested. Support will propose a time and a tool (policy 8.3).", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="remote"))


@bp.route("/<int:ticket_id>/credentials", methods=["POST"])
@login_required
@per_account("30 per hour", "Credentials were sent too often.")
def submit_credentials(ticket_id):
    """Send remote-access credentials for a ticket, stored encrypted, replacing earlier ones (policy 8.5)."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    form = CredentialsForm(author=current_user, ticket=ticket)
    if form.validate_on_submit():
        try:
            credentials.store_credentials(ticket, current_user, form.remote_id.data, form.password.data,
                                          form.notes.data)
        except ServiceError as exc:
            form.refused(exc)
        else:
            if wants_fragment():
                return _detail(ticket, block="credentials", cred_saved=True)
            flash("Credentials received. They are encrypted and will not be shown again.", "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="credentials"))
    return _detail(ticket, 400, block="credentials", cred_form=form)


@bp.route("/<int:ticket_id>/attachments/<int:att_id>")
@login_required
def attachment(ticket_id, att_id):
    """Download a ticket's attachment, for those who may see both ticket and file (404 otherwise)."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    att = Attachment.get_or_none((Attachment.id == att_id) & (Attachment.ticket == ticket))
    if att is None or not attachments.visible_to(att, current_user):
        abort(404)
    stored = attachments.open_stored(att)  # the database or this node's disk (file_store)
    if stored is None:
        abort(404)
    response = send_file(stored, mimetype="application/octet-stream", as_attachment=True,
                         download_name=att.filename, max_age=0)
    if response.content_length is None:  # an open disk file: werkzeug sizes only paths and buffers
        response.content_length = os.fstat(stored.fileno()).st_size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the session's calendar file (policy 8.1, 1.5) ---------------------------------------

def scheduled_session(ticket, live=None):
    """The ticket's scheduled or running session with its local start time, or None.

    `live` may be the page's own live session of this ticket (requested, scheduled or running; a
    ticket has at most one; a RemoteSession or the page's LiveRow), which spares the query;
    anything else is ignored.
    """
    known = isinstance(live, (RemoteSession, session_rows.LiveRow)) and live.ticket_id == ticket.id
    session = live if known else sessions.live_session(ticket, sessions.ACTIVE)
    if session is None or session.status not in sessions.ACTIVE:
        return None
    return {"session": session, "local": get_policy().time_text_for(session.starts_at, _zone()),
            "agent": session.agent.name if session.agent else "a support agent"}


def _zone():
    """The reader's time zone (Pacific for anyone without one)."""
    return getattr(current_user, "time_zone", None)


@bp.route("/<int:ticket_id>/session/confirm", methods=["POST"])
@login_required
@per_account("30 per hour", "The session was answered too often.")
def confirm_session(ticket_id):
    """The requester confirms the scheduled session's time (policy 8.1); 404 for anyone else."""
    return _answer_session(ticket_id, "confirm")


@bp.route("/<int:ticket_id>/session/another", methods=["POST"])
@login_required
@per_account("30 per hour", "The session was answered too often.")
def ask_another_time(ticket_id):
    """The requester asks for another time, saying which suit them (policy 8.1); 404 for anyone else."""
    return _answer_session(ticket_id, "another")


def _answer_session(ticket_id, answer):
    """Confirm or ask for another time; staff see the answer in the panel and the calendar."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    if ticket.requester_id != current_user.id:
        abort(404)
    form = SessionAnswerForm() if answer == "confirm" else SessionChangeForm()
    if form.validate_on_submit():
        try:
            if answer == "confirm":
                session_answers.confirm(ticket, current_user, form.sequence.data)
            else:
                session_answers.ask_another_time(ticket, current_user, form.sequence.data, form.note.data)
        except FieldError as exc:
            form.apply(exc.errors)
        else:
            notice = ("Thank you: the time is confirmed." if answer == "confirm"
                      else "Support will propose another time.")
            if wants_fragment():
                return _detail(ticket, block="remote", session_notice=notice)
            flash(notice, "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="remote"))
    refused = {"answer_form": form} if answer == "confirm" else {"change_form": form}
    return _detail(ticket, 400, block="remote", **refused)


@bp.get("/<int:ticket_id>/session.ics", endpoint="session_ics")
def session_ics(ticket_id):
    """The session as an iCalendar attachment; 404 for anyone who may not see the ticket."""
    ticket = tickets.get_ticket_for(current_user, ticket_id)
    session = sessions.live_session(ticket, sessions.ACTIVE)
    if session is None or session.starts_at is None:
        abort(404)
    body = ics.session_event(session, get_policy().time_text_for(session.starts_at, _zone()))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ticket-{ticket.id}-session.ics"'
    return response
