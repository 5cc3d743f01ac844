"""Community forum use cases: read, post, reply, edit, moderate (policy 3.2, 4.2, 4.4, 4.6, 8.6).

Every write checks the rules first (who may post, locks, the edit window, sizes and the
secret guard) and only then opens one transaction that writes the rows and the search
index together, so a refused request leaves nothing behind. Post text is never logged.
"""
import datetime

from peewee import JOIN, fn

from portal.db import utcnow, write_tx
from portal.models import Category, Post, Thread, User
from portal.services import get_policy, licenses, search, setting
from portal.services.audit import record as audit
from portal.services.access import account_facts
from portal.services.errors import FieldError, ServiceError
from portal.services.markdown import to_html

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MAX = 20_000
PAGE_SIZE = 20
EDIT_WINDOW_MINUTES = 30  # default for app.config["FORUM_EDIT_WINDOW_MINUTES"]
REFUSED = 422  # the status of a refused post or moderation: the form comes back with the reason
CHOOSE_CATEGORY = "Choose a category."
CHOOSE_MOVE_CATEGORY = "Choose a category to move the thread to."
NOT_ACCEPTABLE = "Only a visible post of this thread can be the accepted answer."
LOCKED = "This thread is locked: no new replies."


# -- reading ------------------------------------------------------------------------

def is_staff(user):
    """True for a logged-in staff member or admin (anonymous visitors are not)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


_sees_all = is_staff  # staff read hidden threads and posts and staff-only categories


def categories(user):
    """Categories this user may read, in order, with `thread_count` of visible threads."""
    hidden_ok = _sees_all(user)
    on = (Thread.category == Category.id) if hidden_ok else (
        (Thread.category == Category.id) & (Thread.hidden == False))  # noqa: E712
    query = (Category.select(Category, fn.COUNT(Thread.id).alias("thread_count"))
             .join(Thread, JOIN.LEFT_OUTER, on=on)
             .group_by(Category.id)
             .order_by(Category.position, Category.name))
    return query if hidden_ok else query.where(Category.public == True)  # noqa: E712


def may_start_thread_in(user, category):
    """Whether the user may start a thread in this category (staff-only ones: announcements)."""
    if category.staff_threads_only or not category.public:
        return bool(getattr(user, "is_staff", False))
    return True


def get_category(slug, user):
    """The category, or None when it does not exist or the user may not read it."""
    category = Category.get_or_none(Category.slug == slug)
    if category is None or (not category.public and not _sees_all(user)):
        return None
    return category


def threads(user, category=None):
    """Threads the user may read (of one category), latest activity first."""
    query = (Thread.select(Thread, Category, User)
             .join(Category).switch(Thread)
             .join(User, on=(Thread.author == User.id), attr="author")
             .order_by(Thread.last_post_at.desc(), Thread.id.desc()))
    if category is not None:
        query = query.where(Thread.category == category.id)
    if not _sees_all(user):
        query = query.where((Thread.hidden == False) & (Category.public == True))  # noqa: E712
    return query


def get_thread(thread_id, user):
    """The thread, or None when it does not exist or the user may not read it."""
    thread = threads(user).where(Thread.id == thread_id).first()
    return thread


def posts(thread, user):
    """The thread's posts the user may read, oldest first."""
    query = (Post.select(Post, User)
             .join(User, on=(Post.author == User.id), attr="author")
             .where(Post.thread == thread.id)
             .order_by(Post.created_at, Post.id))
    return query if _sees_all(user) else query.where(Post.hidden == False)  # noqa: E712


def page_for(post, user, per_page=PAGE_SIZE):
    """The page of its thread a post is on, for this reader."""
    before = posts(Thread(id=post.thread_id), user).where(
        (Post.created_at < post.created_at) | ((Post.created_at == post.created_at) & (Post.id < post.id)))
    return before.count() // per_page + 1


def get_post(post_id, user):
    """A post with its thread, or None when the user may not read it."""
    post = Post.get_or_none(Post.id == post_id)
    if post is None or (post.hidden and not _sees_all(user)):
        return None
    thread = get_thread(post.thread_id, user)
    if thread is None:
        return None
    post.thread = thread
    return post


# -- rules ----------------------------------------------------------------------------

def may_post(user):
    """The policy's decision: may this account post? (policy 4.4, 3.2)"""
    return get_policy().may_post_forum(account_facts(user))


def edit_window():
    """How long authors may edit their posts."""
    return datetime.timedelta(minutes=setting("FORUM_EDIT_WINDOW_MINUTES",
                                                             EDIT_WINDOW_MINUTES))


def may_edit(user, post, now=None):
    """Authors edit their own posts within the edit window."""
    if not getattr(user, "is_authenticated", False) or post.author_id != user.id:
        return False
    return (now or utcnow()) <= post.created_at + edit_window()


def edit_refusal(user, post):
    """Why this user may not edit this post now (a FieldError of "body", 403, to show), or None."""
    if may_edit(user, post):
        return None
    if getattr(user, "id", None) != post.author_id:
        return FieldError("body", "You can only edit your own posts.", status=403)
    minutes = int(edit_window().total_seconds() // 60)
    return FieldError("body", f"Posts can be edited for {minutes} minutes after posting; that time is over.",
                      status=403)


def check_title(title):
    """The trimmed title, or a FieldError of "title"."""
    title = " ".join((title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise FieldError("title", "Give the thread a title." if not title else
                         f"Give the thread a title of {TITLE_MIN} to {TITLE_MAX} characters.", REFUSED)
    return title


def check_body(body):
    """The post text with trailing space trimmed, or a FieldError of "body"."""
    body = (body or "").replace("\r\n", "\n").rstrip()
    if not body.strip():
        raise FieldError("body", "Write something before posting.", REFUSED)
    if len(body) > BODY_MAX:
        raise FieldError("body", f"Posts are limited to {BODY_MAX:,} characters; this one has {len(body):,}.",
                         REFUSED)
    return body


def secret_finding(text, markdown=True):
    """policy 8.6: what a reader of this text would get, checked for credentials.

    Bodies are Markdown: judged as rendered (entities decoded, tables, links, emphasis),
    so neither obfuscation nor formatting changes the verdict; titles are plain text.
    None when the Decision turns the guard off."""
    policy = get_policy()
    if not policy.decisions.forum_secret_guard or not text:
        return None
    if markdown:
        return policy.find_secrets(to_html(text), html=True)
    return policy.find_secrets(text)


def guard_secrets(field, text):
    """policy 8.6: refuse text that looks like it carries credentials, before anything is written."""
    finding = secret_finding(text, markdown=field != "title")
    if finding is not None and finding.found:
        raise FieldError(field, finding.reason, REFUSED)


def language(text):
    """policy 4.2: the language verdict for a text (is_english, language, reason)."""
    return get_policy().detect_language(text)


def _require_poster(user):
    decision = may_post(user)
    if not decision:
        raise ServiceError(decision.reason, 403)


# -- writing --------------------------------------------------------------------------

def start_thread(user, category, title, body):
    """A new thread with its first post; queue fields for non-staff authors (policy 4.6, 2.1)."""
    _require_poster(user)
    if category is None or not may_start_thread_in(user, category):
        raise FieldError("category", CHOOSE_CATEGORY, REFUSED)
    title, body = check_title(title), check_body(body)
    guard_secrets("title", title)
    guard_secrets("body", body)
    policy, created = get_policy(), utcnow()
    fields = dict(category=category.id, author=user.id, title=title, created_at=created,
                  last_post_at=created, post_count=1,
                  is_english=language(f"{title}\n{body}").is_english)
    if user.is_staff:
        fields.update(awaiting_staff=False, level=policy.effective_level(user.level))  # policy 2.1
    else:
        # policy 2.1: a forum thread's due time comes from its author's level, as of today
        level = licenses.current_level(user)
        fields.update(awaiting_staff=True, level=level, rank_band=policy.rank_band("forum", level),
                      due_at=policy.first_response_due(created, level))
    with write_tx():
        thread = Thread.create(**fields)
        post = Post.create(thread=thread.id, author=user.id, body=body, created_at=created,
                           is_staff_answer=user.is_staff)
        search.index_title(thread)
        search.index_post(post)
    return thread


def reply(user, thread, body):
    """A reply; the first staff reply answers the thread's queue entry (policy 4.6, 2.1)."""
    _require_poster(user)
    if thread.locked and not user.is_staff:
        raise FieldError("body", LOCKED, REFUSED)
    body = check_body(body)
    guard_secrets("body", body)
    now = utcnow()
    with write_tx():
        thread = Thread.get_by_id(thread.id)  # read again inside the transaction: a lock may have landed
        if thread.locked and not user.is_staff:
            raise FieldError("body", LOCKED, REFUSED)
        post = Post.create(thread=thread.id, author=user.id, body=body, created_at=now,
                           is_staff_answer=user.is_staff)
        changes = {Thread.post_count: Thread.post_count + 1, Thread.last_post_at: now}
        Thread.update(changes).where(Thread.id == thread.id).execute()
        if user.is_staff:
            (Thread.update(awaiting_staff=False, first_response_at=now,
                           first_response_met=(thread.due_at is None or now <= thread.due_at))
             .where((Thread.id == thread.id) & (Thread.awaiting_staff == True))  # noqa: E712
             .execute())
        if not thread.hidden:
            search.index_post(post)
    post.author = user
    return post


def edit_post(user, post, body):
    """Change a post's text: its author, within the edit window, through the secret guard."""
    refusal = edit_refusal(user, post)
    if refusal is not None:
        raise refusal
    if post.thread.locked and not user.is_staff:
        raise FieldError("body", "This thread is locked: its posts can no longer be edited.", REFUSED)
    body = check_body(body)
    guard_secrets("body", body)
    with write_tx():
        Post.update(body=body, edited_at=utcnow()).where(Post.id == post.id).execute()
        post = Post.get_by_id(post.id)
        if not post.hidden and not Thread.get_by_id(post.thread_id).hidden:
            search.index_post(post)
    return post


# -- moderation (staff) ---------------------------------------------------------------

def _staff(user):
    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        raise ServiceError("Only staff can do that.", 403)


def _moderate(user, field, row_id, value, actions, after=None):
    """Staff only: set one on/off flag of a thread or post, audit it and run `after(changed)`, in one transaction."""
    _staff(user)
    model, value = field.model, bool(value)
    with write_tx():
        # conditional: `changed` says whether this request flipped it (a repeat or a race does not)
        changed = model.update({field: value}).where((model.id == row_id) & (field != value)).execute()
        audit(user, actions[0] if value else actions[1], model._meta.table_name, row_id)
        if after is not None:
            after(changed)
    return changed


def set_post_hidden(user, post, hidden):
    """Hide or show a post; hidden posts leave the search index and the thread's post_count."""
    def after(changed):
        if changed:  # post_count counts the posts readers see
            (Thread.update(post_count=Thread.post_count + (-1 if hidden else 1))
             .where(Thread.id == post.thread_id).execute())
        if hidden or Thread.get_by_id(post.thread_id).hidden:
            search.unindex_post(post.id)
        else:
            search.index_post(Post.get_by_id(post.id))
    _moderate(user, Post.hidden, post.id, hidden, ("forum_hide_post", "forum_show_post"), after)


def set_thread_hidden(user, thread, hidden):
    """Hide or show a whole thread (and its index entries); its post_count stays as it is."""
    _moderate(user, Thread.hidden, thread.id, hidden, ("forum_hide_thread", "forum_show_thread"),
              lambda changed: search.reindex_thread(Thread.get_by_id(thread.id)))


def set_locked(user, thread, locked):
    """Lock or unlock a thread against replies."""
    _moderate(user, Thread.locked, thread.id, locked, ("forum_lock", "forum_unlock"))


def move_thread(user, thread, category):
    """Move a thread to another category."""
    _staff(user)
    if category is None:
        raise FieldError("category", CHOOSE_MOVE_CATEGORY, REFUSED)
    with write_tx():
        Thread.update(category=category.id).where(Thread.id == thread.id).execute()
        audit(user, "forum_move", "thread", thread.id, f"to {category.slug}")


def accept_answer(user, thread, post, accept=True):
    """Mark a visible post as the thread's accepted answer, or unmark it; returns the accepted post id now."""
    _staff(user)
    if post.thread_id != thread.id:
        raise ServiceError(NOT_ACCEPTABLE, REFUSED)
    # conditional updates on the rows as they are now, never on the thread read before
    if accept:
        visible = Post.select(Post.thread).where((Post.id == post.id) & (Post.hidden == False))  # noqa: E712
        query = Thread.update(accepted_post=post.id).where((Thread.id == thread.id) & Thread.id.in_(visible))
    else:  # only if it still is this post: another staff member may have chosen a better one
        query = Thread.update(accepted_post=None).where((Thread.id == thread.id) & (Thread.accepted_post == post.id))
    with write_tx():
        if not query.execute() and accept:
            raise ServiceError(NOT_ACCEPTABLE, REFUSED)
        value = Thread.select(Thread.accepted_post).where(Thread.id == thread.id).scalar()
        audit(user, "forum_accept", "thread", thread.id, f"post {value}" if value else "none")
    return value
