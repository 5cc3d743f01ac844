"""forum_search(post_id) index for PostgreSQL, and thread.post_count recounted as visible posts.

search.unindex_post runs `DELETE FROM forum_search WHERE post_id = %s` on each reply, edit and
hide; the (thread_id, post_id) index of 0003 cannot serve it except by reading the whole index.
On SQLite no index is needed: the FTS5 row id is the post id, so the delete is a rowid lookup.

post_count now counts the posts readers see (the forum service adjusts it on hide and show);
before, hiding never lowered it, so existing counts are recounted once. down() keeps the counts.
"""
from peewee import SqliteDatabase

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"

RECOUNT = ("UPDATE thread SET post_count = (SELECT COUNT(*) FROM post "
           "WHERE post.thread_id = thread.id AND post.hidden = {param})")


def recount_posts(db):
    """Set every thread's post_count to its number of visible posts."""
    db.execute_sql(RECOUNT.format(param=db.param), (False,))


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE INDEX IF NOT EXISTS forum_search_post ON forum_search (post_id)")
    recount_posts(db)


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("DROP INDEX IF EXISTS forum_search_post")
