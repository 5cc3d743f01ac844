"""Community forum pages: latest, categories, threads, replies, edits, search, moderation."""
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from portal.services import forum, get_policy, markdown
from portal.services.access import account_facts
from portal.services.forum import ForumError
from portal.services.paging import page_of
from portal.services.search import search_threads
from portal.web.extensions import limiter
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
                  categories=list(forum.categories(current_user)))


@bp.route("/c/<slug>")
def category(slug):
    """One category's threads, paged (404 for a category the reader may not see)."""
    cat = forum.get_category(slug, current_user) or abort(404)
    found = page_of(forum.threads(current_user, cat), _page(), forum.PAGE_SIZE)
    return render("forum/category.html", block="threads", category=cat, threads=found.rows,
                  has_next=found.has_next, page=found.page)


def _thread_page(thread, errors=None, body="", secret=False, status=200):
    found = page_of(forum.posts(thread, current_user), _page(), forum.PAGE_SIZE)
    return render(THREAD, status=status, thread=thread, posts=found.rows, has_next=found.has_next, page=found.page,
                  errors=errors or {}, body=body, secret=secret, may_post=forum.may_post(current_user),
                  categories=list(forum.categories(current_user)) if forum.is_staff(current_user) else [])


@bp.route("/t/<int:thread_id>")
def thread(thread_id):
    """A thread's posts, paged, with the reply form for those who may post."""
    return _thread_page(_thread(thread_id))


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
@post_limit
def reply(thread_id):
    """A logged-in member replies to a thread; htmx gets the form back with the new post."""
    thread, body = _thread(thread_id), request.form.get("body", "")
    try:
        post = forum.reply(current_user, thread, body)
    except ForumError as exc:
        if wants_fragment():  # htmx swaps only 2xx answers: the form comes back with its message
            return render(THREAD, block="reply_form", thread=thread, errors={exc.field: exc.message},
                          body=body, secret=exc.secret, may_post=forum.may_post(current_user))
        return _thread_page(thread, {exc.field: exc.message}, body, exc.secret, exc.status)
    english = forum.language(post.body).is_english
    if wants_fragment():
        return render(THREAD, block="reply_form", thread=thread, errors={}, body="", new_post=post,
                      may_post=forum.may_post(current_user), english=english)
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
    form, error = request.form, None
    if request.method == "POST":
        try:
            thread = forum.start_thread(current_user, forum.get_category(form.get("category", ""), current_user),
                                        form.get("title"), form.get("body"))
        except ForumError as exc:
            error = exc
        else:
            flash("Your thread is posted." if thread.is_english else NOT_ENGLISH,
                  "success" if thread.is_english else "warning")
            return redirect(url_for("forum.thread", thread_id=thread.id))
    facts = account_facts(current_user)
    return render(NEW, status=error.status if error else 200, form=form,
                  errors={error.field: error.message} if error else {}, secret=bool(error and error.secret),
                  chosen=form.get("category") or request.args.get("category", ""),
                  categories=[c for c in forum.categories(current_user) if forum.may_start_thread_in(current_user, c)],
                  may_post=forum.may_post(current_user),
                  may_ticket=get_policy().may_open_ticket(facts) and not current_user.is_staff)


@bp.route("/check", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def check():
    """While typing: the English-only notice (policy 4.2) and an early secret warning (8.6)."""
    if not wants_fragment():  # only htmx asks for hints; a plain POST goes back to the form
        return redirect(url_for("forum.new_thread"))
    title = request.form.get("title", "")[:forum.TITLE_MAX]
    body = request.form.get("body", "")[:forum.BODY_MAX]
    text = f"{title}\n{body}".strip()
    verdict = forum.language(text) if len(text) >= 20 else None
    # the hint judges what readers would get, exactly as posting will (policy 8.6)
    finding = next((f for f in (forum.secret_finding(title, markdown=False), forum.secret_finding(body))
                    if f is not None and f.found), None)
    return render(NEW, block="hint", verdict=verdict, finding=finding)


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
    found, error = _post(post_id), None
    body = request.form.get("body", found.body)
    if request.method == "POST":
        try:
            found = forum.edit_post(current_user, found, body)
        except ForumError as exc:
            error = exc
        else:
            if wants_fragment():  # the self-replacing component: the edited post replaces the form
                return render(THREAD, block="post", post=forum.get_post(found.id, current_user),
                              thread=_thread(found.thread_id))
            flash("Your post is updated.", "success")
            return redirect(url_for("forum.post", post_id=found.id))
    elif not forum.may_edit(current_user, found):
        error = forum.edit_refusal(current_user, found)
    status = 200 if wants_fragment() or error is None else error.status
    return render(EDIT, block="edit_form", status=status, post=found, thread=found.thread, body=body,
                  errors={error.field: error.message} if error else {}, secret=bool(error and error.secret))


@bp.route("/search")
def search():
    """Search forum threads the reader may see, paged."""
    query = (request.args.get("q") or "").strip()[:200]
    found = page_of(lambda limit, offset: search_threads(query, limit=limit, offset=offset) if query else [],
                    _page(), forum.PAGE_SIZE)
    return render("forum/search.html", block="results", q=query, threads=found.rows,
                  has_next=found.has_next, page=found.page)


# -- moderation: staff only; everyone else gets 404 ---------------------------------------

def _moderated(thread_id, message):
    flash(message, "success")
    return redirect(url_for("forum.thread", thread_id=thread_id))


def _moderate(change, load, row_id, field, messages):
    """One on/off moderation form: staff only, load the thread or post, apply the flag, back to the thread."""
    _staff_only()
    target, on = load(row_id), request.form.get(field) == "1"
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
    try:
        forum.move_thread(current_user, thread, forum.get_category(request.form.get("category", ""), current_user))
    except ForumError as exc:
        return _thread_page(thread, {"move": exc.message}, status=exc.status)
    return _moderated(thread_id, "Thread moved.")


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
    found, wanted = _post(post_id), request.form.get("accepted", "1") == "1"  # the form says which; no toggling
    try:
        accepted = forum.accept_answer(current_user, found.thread, found, accept=wanted)
    except ForumError as exc:
        return _thread_page(found.thread, {"moderation": exc.message}, status=exc.status)
    return _moderated(found.thread_id, "Marked as the accepted answer." if accepted == found.id
                      else "This post is not the accepted answer.")
