"""What every page shares, made once instead of per request (issue 16): the compiled templates
kept on disk, the frame's links built once per worker, the user's query text built once."""
from pathlib import Path

from jinja2 import FileSystemBytecodeCache


def test_compiled_templates_are_kept_in_the_instance_folder(app, client):
    cache = app.jinja_env.bytecode_cache
    assert isinstance(cache, FileSystemBytecodeCache)
    assert Path(cache.directory) == Path(app.instance_path) / "jinja-cache"
    assert client.get("/policy").status_code == 200
    assert list(Path(cache.directory).glob("__jinja2_*.cache"))  # main/policy.html and base.html at least


def test_the_frame_links_are_built_once_per_worker(app, client, monkeypatch):
    from portal.web.render import PAGE_LINKS
    assert client.get("/policy").status_code == 200  # builds them
    calls, real = [], app.jinja_env.globals["url_for"]
    monkeypatch.setitem(app.jinja_env.globals, "url_for", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    html = client.get("/policy").get_data(as_text=True)
    assert 'href="/login"' in html and 'href="/static/css/portal.css"' in html
    assert not set(calls) & {*PAGE_LINKS, "static"}, calls  # the frame asked url_for nothing: the links were kept
    assert app.extensions["page_links"][""]["auth.login"] == "/login"


def test_the_user_is_one_query_with_the_text_built_once(app, client, make_user, login):
    from tests.factories import counting_queries
    login(make_user(role="staff"))
    client.get("/account/")
    with counting_queries() as seen:
        assert client.get("/ping").status_code == 200  # no user needed: none loaded
    assert not seen
    with counting_queries() as seen:
        assert client.get("/account/").status_code == 200
    assert sum('FROM "user"' in sql for sql in seen) == 1


def test_a_page_is_the_same_bytes_encoded_piece_by_piece(app):
    """render_page encodes runs of one-byte pieces whole and every other piece alone (the footer's
    en dash must not make the whole page a wide string): the bytes render_template's text makes."""
    from flask import render_template
    from portal.web.render import _utf8, render_page
    pieces = ["<p>", "a" * 50, "–", "b", "c", "é ✓", "", "d"]
    assert _utf8(iter(pieces)) == "".join(pieces).encode()
    assert _utf8(iter([])) == b"" and _utf8(iter(["–"])) == "–".encode()
    with app.test_request_context("/"):
        context = dict(status=404, title="Straße – gone ✓", message="plain <b>text</b>")
        page = render_page("error.html", **context)
        assert page == render_template("error.html", **context).encode()
        assert "Straße – gone ✓".encode() in page and b"plain &lt;b&gt;text&lt;/b&gt;" in page


def test_a_page_sees_the_globals_of_the_moment(app, monkeypatch):
    """render_page gives the template its globals as one plain dict made on each render: a global
    set after the template was loaded is the one the page uses."""
    from portal.web.render import render_block, render_page
    with app.test_request_context("/"):
        context = dict(status=404, title="Gone", message="x")
        assert b'href="/"' in render_page("error.html", **context)
        monkeypatch.setitem(app.jinja_env.globals, "url_for", lambda *a, **k: "/elsewhere")
        assert b'href="/elsewhere"' in render_page("error.html", **context)
        assert 'href="/elsewhere"' in render_block("error.html", "content", **context)
