"""Community forum pages: latest, categories, threads, replies, edits, search, moderation."""
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from portal.services import forum, get_policy, markdown
from portal.services.access import account_facts
from portal.services.errors import ServiceError
from portal.services.paging import page_of
from portal.services.search import search_threads
from portal.web.extensions import limiter
from portal.web.forms import validate_inline
from portal.web.forms.forum import (FLAG_FORMS, AcceptForm, EditPostForm, MoveForm, NewThreadForm,
                                    QuickSearchForm, ReplyForm, SearchForm, flag_form)
from portal.web.render import render, wants_fragment

bp = Blueprint("forum", __name__, url_prefix="/forum")
bp.add_app_template_filter(markdown.render, "markdown")
THREAD, NEW, EDIT = "forum/thread.html", "forum/new.html", "forum/edit.html"
TICKET_URL = "/tickets/new"  # policy 8.5, 4.6: where credentials and ticket-eligible questions go


@bp.before_app_request
def hide_from_resellers():
    """policy 3.2 Decision: every /forum URL answers 404 to a reseller, whatever the route or method."""
    if request.path == "/forum" or request.path.startswith("/forum/"):
        if not get_policy().may_see_forum(account_facts(current_user)):
            abort(404)


@bp.app_template_global()
def forum_may_edit(post):
    """Whether the current user may edit this post now (its author, within the window)."""
    return forum.may_edit(current_user, post)


bp.add_app_template_global(flag_form, "forum_flag_form")  # the staff's lock, hide and accept forms


def _poster_key():
    return f"forum-user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


post_limit = limiter.shared_limit(
    lambda: current_app.config.get("FORUM_POST_RATE", "6 per minute"), scope="forum-post",
    key_func=_poster_key, methods=["POST"])


TOO_FAST = "You are posting too fast. Nothing was saved; wait a minute and send it again."


@bp.errorhandler(429)
def too_fast(exc):
    """A forum post came too fast: the message beside the form (htmx) or an error page, nothing saved."""
    if wants_fragment():  # htmx does not swap a 429: show the message beside the form, keep the text
        response = make_response(render_template("forum/_alert.html", message=TOO_FAST))
        response.headers.update({"HX-Retarget": "#forum-alert", "HX-Reswap": "innerHTML"})
        return response
    return render_template("error.html", status=429, title="Posting too fast", message=TOO_FAST), 429


def _page():
    return request.args.get("page", 1, type=int)


def _thread(thread_id):
    return forum.get_thread(thread_id, current_user) or abort(404)


def _post(post_id):
    return forum.get_post(post_id, current_user) or abort(404)


def _staff_only():
    if not current_user.is_staff:
        abort(404)


@bp.route("")
@bp.route("/")
def index():
    """The forum's latest threads, paged, with the categories the reader may see (404 for resellers)."""
    found = page_of(forum.threads(current_user), _page(), forum.PAGE_SIZE)
    return render("forum/index.html", block="threads", threads=found.rows, has_next=found.has_next, page=found.page,
                  categories=list(forum.categories(current_user)), search_form=QuickSearchForm(formdata=None))


@bp.route("/c/<slug>")
def category(slug):
    """One category's threads, paged (404 for a category the reader may not see)."""
    cat = forum.get_category(slug, current_user) or abort(404)
    found = page_of(forum.threads(current_user, cat), _page(), forum.PAGE_SIZE)
    return render("forum/category.html", block="threads", category=cat, threads=found.rows,
                  has_next=found.has_next, page=found.page)


def _submit(form, use_case, may_post=True):
    """A posted form: its checks, then `use_case()`. (the result, None) when it went through, else
    (None, the page's status): 200 before a submit, 403 for a member who may not post (policy 4.4;
    the page says why), 422 for a refused form, or the service's status for its refusal, which
    lands on the form."""
    if not form.is_submitted():
        return None, 200
    if not may_post:
        return None, 403
    if not form.validate():
        return None, forum.REFUSED
    try:
        return use_case(), None
    except ServiceError as exc:
        form.apply(exc.errors)
        return None, exc.status


def _thread_page(thread, form=None, status=200, move_form=None, refused=None):
    """The thread page with the reply `form` as posted; for staff the move form and a refused
    moderation form (its message above the moderation forms)."""
    found = page_of(forum.posts(thread, current_user), _page(), forum.PAGE_SIZE)
    if forum.is_staff(current_user) and move_form is None:
        move_form = MoveForm.for_thread(thread, current_user, formdata=None)
    return render(THREAD, status=status, thread=thread, posts=found.rows, has_next=found.has_next, page=found.page,
                  form=form or ReplyForm(formdata=None), may_post=forum.may_post(current_user),
                  move_form=move_form, refused=refused)


@bp.route("/t/<int:thread_id>")
def thread(thread_id):
    """A thread's posts, paged, with the reply form for those who may post."""
    return _thread_page(_thread(thread_id))


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
@post_limit
def reply(thread_id):
    """A logged-in member replies to a thread; htmx gets the form back with the new post."""
    thread, form, may_post = _thread(thread_id), ReplyForm(), forum.may_post(current_user)
    post, status = _submit(form, lambda: forum.reply(current_user, thread, form.body.data), may_post)
    if status is not None:
        if wants_fragment():  # htmx swaps only 2xx answers: the form comes back with its message
            return render(THREAD, block="reply_form", thread=thread, form=form, may_post=may_post)
        return _thread_page(thread, form, status)
    english = forum.language(post.body).is_english
    if wants_fragment():
        return render(THREAD, block="reply_form", thread=thread, form=ReplyForm(formdata=None), new_post=post,
                      may_post=may_post, english=english)
    flash("Your reply is posted." if english else NOT_ENGLISH, "success" if english else "warning")
    return redirect(url_for("forum.thread", thread_id=thread.id, page=forum.page_for(post, current_user))
                    + f"#post-{post.id}")


NOT_ENGLISH = ("Posted. It does not look like English: support is given in English only, and "
               "answers to other languages come without a guarantee of accuracy (policy 4.2).")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@post_limit
def new_thread():
    """A logged-in member starts a thread in a category (English notice, secret guard)."""
    form = NewThreadForm.for_user(current_user, category=request.args.get("category", ""))
    may_post = forum.may_post(current_user)
    thread, status = _submit(form, lambda: forum.start_thread(
        current_user, forum.get_category(form.category.data, current_user), form.title.data, form.body.data),
        may_post)
    if status is None:
        flash("Your thread is posted." if thread.is_english else NOT_ENGLISH,
              "success" if thread.is_english else "warning")
        return redirect(url_for("forum.thread", thread_id=thread.id))
    facts = account_facts(current_user)
    return render(NEW, status=status, form=form, may_post=may_post,
                  may_ticket=get_policy().may_open_ticket(facts) and not current_user.is_staff)


@bp.route("/check", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def check():
    """While typing (htmx, for the field typed in): an early warning when it would be refused for a
    secret (policy 8.6); with the body's, the English-only notice over title and body (4.2)."""
    if not wants_fragment():  # only htmx asks for hints; a plain POST goes back to the form
        return redirect(url_for("forum.new_thread"))
    form = NewThreadForm()  # its title and body are checked as the reply and edit forms' bodies
    field = validate_inline(form, NewThreadForm.INLINE)
    if field is None:
        return "", 400
    text = f"{form.title.data[:forum.TITLE_MAX]}\n{form.body.data[:forum.BODY_MAX]}".strip()
    verdict = forum.language(text) if field.name == "body" and len(text) >= 20 else None
    return render(NEW, block="hint", verdict=verdict, warning=field.errors[0] if field.secret else None)


@bp.route("/p/<int:post_id>")
def post(post_id):
    """One post: the post itself for htmx (the edit form's Cancel), otherwise a redirect to it in its thread."""
    found = _post(post_id)
    if wants_fragment():  # the edit form's Cancel puts the post back
        return render(THREAD, block="post", post=found, thread=found.thread)
    return redirect(url_for("forum.thread", thread_id=found.thread_id,
                            page=forum.page_for(found, current_user)) + f"#post-{found.id}")


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@post_limit
def edit(post_id):
    """The author edits their post within the edit window; htmx swaps the form and the post in place."""
    found = _post(post_id)
    form, refusal = EditPostForm(found, body=found.body), forum.edit_refusal(current_user, found)
    if refusal is not None:  # someone else's post, or the window is over: said before any check
        form.apply(refusal.errors)
        status = refusal.status
    else:
        edited, status = _submit(form, lambda: forum.edit_post(current_user, found, form.body.data))
        if status is None:
            if wants_fragment():  # the self-replacing component: the edited post replaces the form
                return render(THREAD, block="post", post=forum.get_post(edited.id, current_user),
                              thread=_thread(edited.thread_id))
            flash("Your post is updated.", "success")
            return redirect(url_for("forum.post", post_id=edited.id))
    return render(EDIT, block="edit_form", status=200 if wants_fragment() else status, post=found,
                  thread=found.thread, form=form)


@bp.route("/search")
def search():
    """Search forum threads the reader may see, paged."""
    form = SearchForm(request.args)
    query = form.q.data
    found = page_of(lambda limit, offset: search_threads(query, limit=limit, offset=offset) if query else [],
                    _page(), forum.PAGE_SIZE)
    return render("forum/search.html", block="results", form=form, q=query, threads=found.rows,
                  has_next=found.has_next, page=found.page)


# -- moderation: staff only; everyone else gets 404 ---------------------------------------

def _moderated(thread_id, message):
    flash(message, "success")
    return redirect(url_for("forum.thread", thread_id=thread_id))


def _moderate(change, load, row_id, flag, messages):
    """One on/off moderation form: staff only, load the thread or post, set `flag` as the form asks,
    back to the thread."""
    _staff_only()
    target, form = load(row_id), FLAG_FORMS[flag]()
    if not form.validate_on_submit():
        abort(400)
    on = form[flag].data
    change(current_user, target, on)
    return _moderated(getattr(target, "thread_id", target.id), messages[0] if on else messages[1])


@bp.route("/t/<int:thread_id>/lock", methods=["POST"])
@login_required
def lock(thread_id):
    """Staff: lock or unlock a thread against replies (404 for anyone else)."""
    return _moderate(forum.set_locked, _thread, thread_id, "locked", ("Thread locked.", "Thread unlocked."))


@bp.route("/t/<int:thread_id>/hide", methods=["POST"])
@login_required
def hide_thread(thread_id):
    """Staff: hide a thread from readers or show it again (404 for anyone else)."""
    return _moderate(forum.set_thread_hidden, _thread, thread_id, "hidden",
                     ("Thread hidden from readers.", "Thread visible again."))


@bp.route("/t/<int:thread_id>/move", methods=["POST"])
@login_required
def move(thread_id):
    """Staff: move a thread to another category (404 for anyone else)."""
    _staff_only()
    thread = _thread(thread_id)
    form = MoveForm.for_thread(thread, current_user)
    _, status = _submit(form, lambda: forum.move_thread(current_user, thread,
                                                       forum.get_category(form.category.data, current_user)))
    if status is None:
        return _moderated(thread_id, "Thread moved.")
    return _thread_page(thread, status=status, move_form=form)


@bp.route("/p/<int:post_id>/hide", methods=["POST"])
@login_required
def hide_post(post_id):
    """Staff: hide a post from readers or show it again (404 for anyone else)."""
    return _moderate(forum.set_post_hidden, _post, post_id, "hidden",
                     ("Post hidden from readers.", "Post visible again."))


@bp.route("/p/<int:post_id>/accept", methods=["POST"])
@login_required
def accept(post_id):
    """Staff: mark a post as its thread's accepted answer, or unmark it (404 for anyone else)."""
    _staff_only()
    found, form = _post(post_id), AcceptForm()  # the form says which; no toggling
    accepted, status = _submit(form, lambda: forum.accept_answer(current_user, found.thread, found,
                                                                 accept=form.accepted.data))
    if status is not None:
        return _thread_page(found.thread, status=status, refused=form)
    return _moderated(found.thread_id, "Marked as the accepted answer." if accepted == found.id
                      else "This post is not the accepted answer.")
