"""Page-or-fragment rendering for htmx (template fragments as named blocks)."""
from flask import current_app, make_response, render_template, request


def wants_fragment():
    """True for an htmx request that is neither boosted nor a history restore."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render_block(template_name, block_name, **context):
    """Render one named block of a page template with the full template context."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    ctx = template.new_context(context)
    return "".join(template.blocks[block_name](ctx))


def render(template_name, block=None, status=200, **context):
    """The whole page, or just `block` for an htmx request; always Vary: HX-Request."""
    if block and wants_fragment():
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


_SENTINEL = 987654321  # an id no route gives meaning to: url_parts splits the URL around it


def url_parts(endpoint, name, **values):
    """(head, tail) of `endpoint`'s URL around its argument `name`: a list builds them once and
    writes head + id + tail per row (url_for per row was a tenth of the queue page)."""
    from flask import url_for
    head, _, tail = url_for(endpoint, **{name: _SENTINEL}, **values).partition(str(_SENTINEL))
    return head, tail
