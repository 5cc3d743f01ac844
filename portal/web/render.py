"""Page-or-fragment rendering for htmx (template fragments as named blocks)."""
from flask import current_app, make_response, request
from flask.signals import before_render_template, template_rendered
from jinja2.runtime import new_context


def wants_fragment():
    """True for an htmx request that is neither boosted nor a history restore."""
    hx = getattr(request._get_current_object(), "htmx", None)  # the request itself: one lookup, not a proxy's two
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render_block(template_name, block_name, **context):
    """Render one named block of a page template with the full template context."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    ctx = _context(template, context)
    return "".join(template.blocks[block_name](ctx))


def render_page(template_name, **context):
    """render_template's page as UTF-8 bytes, the same bytes, encoded piece by piece: the pieces
    are one-byte text but for a few (the footer's support hours have an en dash), and joined
    first they would make the whole page a wide string, whose encoding costs a tenth of a page."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    before_render_template.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    try:
        body = _utf8(template.root_render_func(_context(template, context)))
    except Exception:
        app.jinja_env.handle_exception()
    template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return body


def _context(template, values):
    """template.new_context(values), its globals given as one plain dict: the template's are a
    ChainMap over the environment's, and copying and listing a ChainMap runs in Python, a key at a
    time (a tenth of a small page). Made afresh on each render, so a global set meanwhile is seen."""
    flat = {}
    for mapping in reversed(template.globals.maps):
        flat.update(mapping)
    return new_context(template.environment, template.name, template.blocks, values, False, flat, None)


def _utf8(pieces):
    """The pieces' text as UTF-8: each run of one-byte pieces joined and encoded as one copy,
    every other piece on its own."""
    out, run = [], []
    for piece in pieces:
        if piece.isascii():
            run.append(piece)
            continue
        if run:
            out.append("".join(run).encode())
            run = []
        out.append(piece.encode())
    out.append("".join(run).encode())
    return b"".join(out)


def render(template_name, block=None, status=200, **context):
    """The whole page, or just `block` for an htmx request; always Vary: HX-Request."""
    if block and wants_fragment():
        body = render_block(template_name, block, **context)
    else:
        body = render_page(template_name, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


_SENTINEL = 987654321  # an id no route gives meaning to: url_parts splits the URL around it


def url_parts(endpoint, name, **values):
    """(head, tail) of `endpoint`'s URL around its argument `name`: a list builds them once and
    writes head + id + tail per row (url_for per row was a tenth of the queue page). Kept per
    worker: they depend on the routes and the script root only."""
    from flask import url_for
    kept = current_app.extensions.setdefault("url_parts", {})
    key = (endpoint, name, request.script_root, tuple(sorted(values.items())))
    found = kept.get(key)
    if found is None:
        head, _, tail = url_for(endpoint, **{name: _SENTINEL}, **values).partition(str(_SENTINEL))
        if len(kept) > 256:
            kept.clear()
        found = kept[key] = (head, tail)
    return found


def url_of(endpoint, **values):
    """url_for(endpoint, **values), kept per worker for these values and the script root: a list's
    own address with its filters (the queue's poll and pager) is the same on every load."""
    from flask import url_for
    kept = current_app.extensions.setdefault("urls_of", {})
    key = (endpoint, request.script_root, tuple(values.items()))
    found = kept.get(key)
    if found is None:
        if len(kept) >= 1024:
            kept.clear()
        found = kept[key] = url_for(endpoint, **values)
    return found


def url_head(endpoint, name, **values):
    """The start of `endpoint`'s URL for a route that ends in its argument `name`
    ("/staff/tickets/"): a row writes head + id."""
    head, tail = url_parts(endpoint, name, **values)
    if tail:
        raise ValueError(f"{endpoint} does not end in <{name}>: use url_parts")
    return head


# The links every page's frame draws (navigation, stylesheet, scripts). They depend on the app
# and the script root only, so each worker builds them once instead of ~20 url_for per page.
PAGE_LINKS = ("main.index", "main.policy_page", "partner.home", "tickets.index", "staff.queue", "staff.tickets",
              "staff.bug_list", "staff.sessions_calendar", "staff.overview", "staff.audit_log", "staff.search",
              "staff.canned", "staff.today_sessions",
              "admin.users", "admin.partners_page", "admin.orders_page", "admin.releases", "admin.mail",
              "forum.index", "account.home", "auth.logout", "auth.login", "auth.register",
              "auth.resend_verification")
STATIC_LINKS = ("css/portal.css", "js/htmx.min.js", "js/portal.js", "js/staff.js")


def page_links():
    """{endpoint: URL} of the frame's links that this app has (a missing endpoint is left out, so
    `'forum.index' in links` says whether the app serves it), and {"static/<file>": URL}."""
    from flask import url_for
    app = current_app._get_current_object()
    kept = app.extensions.setdefault("page_links", {})
    root = request.script_root
    links = kept.get(root)
    if links is None:
        links = {name: url_for(name) for name in PAGE_LINKS if name in app.view_functions}
        links.update({f"static/{name}": url_for("static", filename=name) for name in STATIC_LINKS})
        kept[root] = links
    return links
