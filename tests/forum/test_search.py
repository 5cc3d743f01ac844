"""One search interface over SQLite FTS5 and PostgreSQL tsvector (issue 5; policy 1.3)."""
import pytest

from portal import db as database
from portal.models import Post
from portal.services import forum
from portal.services.search import fts5_query, indexed_rows, search_threads, terms
from tests.factories import make_category, make_thread
from tests.forum.helpers import counting_queries


@pytest.fixture
def threads(ctx, make_user, general):
    author, staff = make_user(level="PRO"), make_user(role="staff")
    a = make_thread(author, general, "Installing the Host silently", "msiexec with the MSI configurator")
    b = make_thread(author, general, "Relay server drops connections", "after an hour the relay stops")
    c = make_thread(author, general, "Address book backup", "where is the address book file kept")
    forum.reply(staff, a, "Use the configurator to embed settings into the installer.")
    return a, b, c, staff


def titles(found):
    return [t.title for t in found]


def test_backend_matches_database(app, ctx):
    assert database.is_sqlite() == (not app.config["DATABASE_URL"].startswith("postgres"))


def test_finds_titles_and_bodies_with_stemming(threads):
    a, b, c, _ = threads
    assert titles(search_threads("install")) == [a.title]          # "Installing" stems to install
    assert titles(search_threads("embed settings")) == [a.title]  # a reply's words
    assert titles(search_threads("address book")) == [c.title]
    assert search_threads("relay")[0].id == b.id


def test_title_ranks_above_body(ctx, make_user, general):
    author = make_user(level="PRO")
    body_hit = make_thread(author, general, "Something else entirely", "the firewall blocks port 5650")
    title_hit = make_thread(author, general, "Firewall settings for the Host", "which ports?")
    assert titles(search_threads("firewall")) == [title_hit.title, body_hit.title]


def test_all_words_first_then_any_word(threads):
    a, b, c, _ = threads
    assert titles(search_threads("relay hour")) == [b.title]
    # no thread has both words: fall back to any word (ticket subjects, policy 1.3)
    assert set(titles(search_threads("relay backup"))) == {b.title, c.title}


def test_prefix_of_the_last_word_matches_while_typing(threads):
    assert titles(search_threads("addr")) == [threads[2].title]


@pytest.mark.parametrize("query", ['"', '"unbalanced', "NEAR(", "a AND OR NOT", "*", "col:val", "(((", "'; DROP TABLE post; --",
                                   "title:relay", "^relay", "relay -hour", "\x00", "🙂", "   ", "", "ü" * 500])
def test_hostile_or_empty_queries_never_fail(threads, query):
    found = search_threads(query)
    assert isinstance(found, list)
    assert Post.select().count() == 4  # nothing was touched


def test_queries_are_quoted_for_fts5():
    assert terms('How do I "install" the NEAR(host)?') == ["install", "near", "host"]
    assert fts5_query(["install", "host"]) == '"install" AND "host"*'
    assert fts5_query(["a", "b"], "or", prefix_last=False) == '"a" OR "b"'


def test_limit_and_offset_page_the_results(ctx, make_user, general):
    author = make_user(level="PRO")
    made = [make_thread(author, general, f"Deployment question number {n}", "deployment") for n in range(7)]
    first, second = search_threads("deployment", limit=5), search_threads("deployment", limit=5, offset=5)
    assert len(first) == 5 and len(second) == 2
    assert {t.id for t in first + second} == {t.id for t in made}
    assert search_threads("deployment", limit=0) == []


def test_hidden_threads_and_posts_leave_the_index(threads):
    a, b, c, staff = threads
    forum.set_thread_hidden(staff, b, True)
    assert search_threads("relay") == [] and indexed_rows(b.id) == 0
    forum.set_thread_hidden(staff, b, False)
    assert titles(search_threads("relay")) == [b.title]
    reply = Post.get((Post.thread == a.id) & (Post.is_staff_answer == True))  # noqa: E712
    forum.set_post_hidden(staff, reply, True)
    assert search_threads("embed settings") == []
    forum.set_post_hidden(staff, reply, False)
    assert titles(search_threads("embed settings")) == [a.title]


def test_private_categories_are_not_searched(ctx, make_user, threads):
    staff = threads[3]
    secret_cat = make_category("internal", "Internal", public=False)
    make_thread(staff, secret_cat, "Internal escalation procedure", "escalation steps")
    assert search_threads("escalation") == []


def test_edits_replace_the_indexed_text(ctx, make_user, general):
    author = make_user(level="PRO")
    thread = make_thread(author, general, "Viewer question", "the viewer shows a blank screen")
    post = Post.get(Post.thread == thread.id)
    post.thread = thread
    forum.edit_post(author, post, "the viewer shows a black window")
    assert search_threads("blank") == []
    assert titles(search_threads("black window")) == [thread.title]


def test_search_results_render_in_a_constant_number_of_queries(app, client, make_user, make_thread, in_app):
    # the result list shows each thread's author: joined in the query, not one query per row
    def many(word, n):
        for i in range(n):
            make_thread(make_user(level="PRO", display_name=f"Author {word} {i}"), title=f"{word} question {i}",
                        body="details follow")

    in_app(make_category)
    many("walrus", 2)
    many("narwhal", 8)
    counts = {}
    for word, n in (("walrus", 2), ("narwhal", 8)):
        with counting_queries() as seen:
            html = client.get(f"/forum/search?q={word}").get_data(as_text=True)
        assert html.count('data-thread="') == n and f"Author {word} {n - 1}" in html
        counts[word] = len(seen)
    assert counts["walrus"] == counts["narwhal"], counts


def test_search_threads_carry_their_author(threads):
    author = threads[0].author.name
    with counting_queries() as seen:
        found = search_threads("relay")
        names = [t.author.name for t in found]
    assert names == [author]
    assert not any('FROM "user"' in sql and "WHERE" in sql and '"thread"' not in sql for sql in seen), seen


def test_every_forum_write_removes_its_index_row_by_lookup_not_scan(threads):
    # each write runs unindex_post first; on PostgreSQL post_id needs its own index (migration 0004),
    # on SQLite the FTS5 row is found by rowid (the post id)
    from portal.services import search

    with counting_queries() as seen:
        search.unindex_post(threads[0].id)
    sql = seen[-1]
    if database.is_sqlite():
        plan = " ".join(str(r) for r in database.db.execute_sql("EXPLAIN QUERY PLAN " + sql, (1,)))
        assert "INDEX 0:=" in plan, plan  # rowid equality, not a full scan
    else:
        database.db.execute_sql("ANALYZE forum_search")
        database.db.execute_sql("SET enable_seqscan = off")
        plan = " ".join(r[0] for r in database.db.execute_sql("EXPLAIN " + sql, (1,)))
        database.db.execute_sql("RESET enable_seqscan")
        assert "forum_search_post " in plan + " ", plan
