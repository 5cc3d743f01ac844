"""Forum threads in the staff queue: read one, claim or unassign it, answer it, convert it into a ticket."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user
from peewee import JOIN

from portal.models import Post, Thread, User
from portal.services import assign, get_policy, thread_work
from portal.services.access import account_facts
from portal.services.errors import ServiceError
from portal.web.forms.staff import ActionForm, ThreadAnswerForm
from portal.web.render import render
from portal.web.staff import bp


def _thread(thread_id):
    """The thread with its author and assignee, or 404."""
    helper = User.alias("helper")
    thread = (Thread.select(Thread, User, helper).join(User, on=(Thread.author == User.id), attr="author")
              .switch(Thread).join(helper, JOIN.LEFT_OUTER, on=(Thread.assignee == helper.id), attr="assignee")
              .where(Thread.id == thread_id).first())
    if thread is None:
        abort(404)
    return thread


def _thread_page(thread, form=None, status=200, answer_form=None, claim_form=None):
    """The page; `form` a refused conversion, `answer_form` a refused answer, `claim_form` a refused claim."""
    posts = (Post.select(Post, User).join(User, on=(Post.author == User.id))
             .where(Post.thread == thread.id).order_by(Post.created_at, Post.id))
    decision = get_policy().may_open_ticket(account_facts(thread.author))
    forum_url = url_for("forum.thread", thread_id=thread.id)
    return render("staff/thread.html", status=status, thread=thread, posts=list(posts),
                  may_convert=decision, form=form or ActionForm(formdata=None), forum_url=forum_url,
                  due=thread.due_at, answer_form=answer_form or ThreadAnswerForm(formdata=None),
                  claim_form=claim_form or ActionForm(formdata=None))


@bp.route("/threads/<int:thread_id>")
def thread(thread_id):
    """Staff: a forum thread with its posts, its response clock, who works on it, the answer form and
    whether it may become a ticket."""
    return _thread_page(_thread(thread_id))


@bp.route("/threads/<int:thread_id>/claim", methods=["POST"])
def thread_claim(thread_id):
    """Staff: take an unassigned forum thread; 409 with the holder's name if someone was faster."""
    _thread(thread_id)
    form = ActionForm.posted()
    try:
        thread_work.claim(thread_id, current_user)
    except ServiceError as exc:  # lost the race: say who has it
        return _thread_page(_thread(thread_id), claim_form=form.apply(exc.errors), status=exc.status)
    flash("You have claimed this thread.", "success")
    return redirect(url_for("staff.thread", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/unassign", methods=["POST"])
def thread_unassign(thread_id):
    """Staff: put a forum thread back in the pool."""
    _thread(thread_id)
    ActionForm.posted()
    thread_work.unassign(thread_id, current_user)
    flash("The thread is back in the pool.", "success")
    return redirect(url_for("staff.thread", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/answer", methods=["POST"])
def thread_answer(thread_id):
    """Staff: answer a forum thread; the answer is a staff post in the thread (policy 4.6, 2.1, 8.6)."""
    thread, form = _thread(thread_id), ThreadAnswerForm()
    if form.validate_on_submit():
        try:
            post = thread_work.answer(thread, current_user, form.body.data)
        except ServiceError as exc:  # the secret guard (422), a too long text
            form.apply(exc.errors)
            return _thread_page(thread, answer_form=form, status=exc.status)
        flash("Your answer is posted in the forum.", "success")
        return redirect(url_for("staff.thread", thread_id=thread_id) + f"#p{post.id}")
    return _thread_page(thread, answer_form=form, status=400)


@bp.route("/threads/<int:thread_id>/convert", methods=["POST"])
def convert(thread_id):
    """Staff: turn a forum thread into a ticket for its author (policy 4.6)."""
    thread, form = _thread(thread_id), ActionForm.posted()
    try:
        ticket = assign.convert_thread(thread, current_user)
    except ServiceError as exc:
        return _thread_page(thread, form.apply(exc.errors), exc.status)
    flash(f"Converted into ticket #{ticket.id} for {thread.author.name}.", "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket.id))
