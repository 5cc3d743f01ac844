"""Forum full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

    from portal.services.search import search_threads
    threads = search_threads("cannot connect after upgrade", limit=5)

Only public categories and visible threads and posts are found: hidden content is removed
from the index (table `forum_search`, migration 0003) by the forum service, in the same
transaction as the write. The ticket form's "similar threads" use this too (policy 1.3).

User text never reaches the FTS or tsquery parser as syntax: it is cut into plain words,
each quoted (FTS5) or turned into a tsquery by PostgreSQL's own functions, so no query
can fail with a syntax error. All words must match; when nothing matches them all, any
word may match (best matches first), which suits suggestions from a ticket's subject.
"""
import logging
import re

from peewee import DatabaseError

from portal import db as database
from portal.models import Category, Thread, User

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_LIMIT = 50
_WORD = re.compile(r"[^\W_]+")
# Words too common to help; dropped unless the query has nothing else.
STOPWORDS = frozenset("""
a an and are as at be but by can do does for from has have how i if in is it its my
no not of on or so than that the their then there this to was what when where which
who why will with you your me we our get got any all""".split())


def terms(query):
    """The plain words of a query, lower-cased, without stopwords or repeats, at most MAX_TERMS."""
    words = [w.lower() for w in _WORD.findall((query or "")[:MAX_QUERY_CHARS])]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def search_threads(query: str, limit: int = 5, offset: int = 0) -> list:
    """Visible threads in public categories matching `query`, best first (never raises on bad input)."""
    words = terms(query)
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    if not words or not limit:
        return []
    ids = _thread_ids(words, "and", limit, offset)
    if not ids and len(words) > 1 and (offset == 0 or not _thread_ids(words, "and", 1, 0)):
        ids = _thread_ids(words, "or", limit, offset)
    if not ids:
        return []
    # author joined as forum.threads() does: the result list shows it on every row
    found = {t.id: t for t in (Thread.select(Thread, Category, User)
                               .join(Category).switch(Thread)
                               .join(User, on=(Thread.author == User.id), attr="author")
                               .where(Thread.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _thread_ids(words, mode, limit, offset):
    search = _sqlite_ids if database.is_sqlite() else _postgres_ids
    try:
        with database.db.atomic():  # a savepoint: a failed search never spoils the caller's transaction
            return search(words, mode, limit, offset)
    except DatabaseError as exc:  # the query text is not logged (policy 8.6)
        log.warning("forum search failed: %s", exc.__class__.__name__)
        return []


def fts5_query(words, mode="and", prefix_last=True):
    """An FTS5 MATCH expression: every word a quoted string, the last one also a prefix."""
    quoted = ['"%s"' % w.replace('"', '""') for w in words]
    if prefix_last and quoted:
        quoted[-1] += "*"
    return (" AND " if mode == "and" else " OR ").join(quoted)


def _sqlite_ids(words, mode, limit, offset):
    # bm25 is lower-is-better; a title counts four times a body
    # MATERIALIZED: bm25() only works in the FTS query itself, not once flattened into the GROUP BY
    sql = ("WITH hits AS MATERIALIZED ("
           "SELECT thread_id, bm25(forum_search, 0, 0, 4.0, 1.0) AS score "
           "FROM forum_search WHERE forum_search MATCH ?) "
           "SELECT hits.thread_id, MIN(hits.score) AS best FROM hits "
           "JOIN thread t ON t.id = hits.thread_id JOIN category c ON c.id = t.category_id "
           "WHERE t.hidden = 0 AND c.public = 1 "
           "GROUP BY hits.thread_id ORDER BY best, hits.thread_id DESC LIMIT ? OFFSET ?")
    rows = database.db.execute_sql(sql, (fts5_query(words, mode), limit, offset)).fetchall()
    return [int(r[0]) for r in rows]


def tsquery_sql(words, mode):
    """SQL (with parameters) building a tsquery from plain words; the last word is a prefix."""
    parts, params = [], []
    for n, word in enumerate(words):
        if n == len(words) - 1 and word.isascii() and word.isalnum():
            parts.append("to_tsquery('english', %s)")
            params.append(word + ":*")
        else:
            parts.append("plainto_tsquery('english', %s)")
            params.append(word)
    return "(" + (" && " if mode == "and" else " || ").join(parts) + ")", params


def _postgres_ids(words, mode, limit, offset):
    tsquery, params = tsquery_sql(words, mode)
    sql = ("SELECT s.thread_id, MAX(ts_rank(s.document, q.query)) AS score "
           "FROM forum_search s JOIN thread t ON t.id = s.thread_id "
           "JOIN category c ON c.id = t.category_id "
           f"CROSS JOIN (SELECT {tsquery} AS query) q "
           "WHERE s.document @@ q.query AND NOT t.hidden AND c.public "
           "GROUP BY s.thread_id ORDER BY score DESC, s.thread_id DESC LIMIT %s OFFSET %s")
    rows = database.db.execute_sql(sql, (*params, limit, offset)).fetchall()
    return [int(r[0]) for r in rows]


# -- index upkeep: called by portal.services.forum inside its write transaction --------

def index_title(thread):
    """Put (or replace) a thread's title in the index."""
    unindex_title(thread.id)
    if database.is_sqlite():
        database.db.execute_sql(
            "INSERT INTO forum_search (rowid, thread_id, post_id, title, body) VALUES (?, ?, 0, ?, '')",
            (-thread.id, thread.id, thread.title))
    else:
        database.db.execute_sql(
            "INSERT INTO forum_search (thread_id, post_id, document) "
            "VALUES (%s, 0, setweight(to_tsvector('english', %s), 'A'))", (thread.id, thread.title))


def index_post(post):
    """Put (or replace) a post's body in the index."""
    unindex_post(post.id)
    thread_id = post.thread_id
    if database.is_sqlite():
        database.db.execute_sql(
            "INSERT INTO forum_search (rowid, thread_id, post_id, title, body) VALUES (?, ?, ?, '', ?)",
            (post.id, thread_id, post.id, post.body))
    else:
        database.db.execute_sql(
            "INSERT INTO forum_search (thread_id, post_id, document) "
            "VALUES (%s, %s, to_tsvector('english', %s))", (thread_id, post.id, post.body))


def unindex_title(thread_id):
    """Remove a thread's title row."""
    if database.is_sqlite():
        database.db.execute_sql("DELETE FROM forum_search WHERE rowid = ?", (-thread_id,))
    else:
        database.db.execute_sql("DELETE FROM forum_search WHERE thread_id = %s AND post_id = 0",
                                (thread_id,))


def unindex_post(post_id):
    """Remove a post's row."""
    if database.is_sqlite():
        database.db.execute_sql("DELETE FROM forum_search WHERE rowid = ?", (post_id,))
    else:
        database.db.execute_sql("DELETE FROM forum_search WHERE post_id = %s", (post_id,))


def unindex_thread(thread_id):
    """Remove a thread's title and every post of it."""
    if database.is_sqlite():
        database.db.execute_sql(
            "DELETE FROM forum_search WHERE rowid = ? OR rowid IN (SELECT id FROM post WHERE thread_id = ?)",
            (-thread_id, thread_id))
    else:
        database.db.execute_sql("DELETE FROM forum_search WHERE thread_id = %s", (thread_id,))


def reindex_thread(thread):
    """Index a thread afresh: its title and its visible posts (nothing when it is hidden)."""
    from portal.models import Post
    unindex_thread(thread.id)
    if thread.hidden:
        return
    index_title(thread)
    for post in Post.select().where((Post.thread == thread.id) & (Post.hidden == False)):  # noqa: E712
        index_post(post)


def indexed_rows(thread_id=None):
    """How many index rows there are (for one thread): for tests and checks."""
    if thread_id is None:
        return database.db.execute_sql("SELECT COUNT(*) FROM forum_search").fetchone()[0]
    param = "?" if database.is_sqlite() else "%s"
    return database.db.execute_sql(
        f"SELECT COUNT(*) FROM forum_search WHERE thread_id = {param}", (thread_id,)).fetchone()[0]
