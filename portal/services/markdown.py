"""Forum posts as safe HTML: markdown-it-py renders, nh3 (ammonia) sanitizes.

Two layers on purpose: markdown-it escapes raw HTML (html=False) and refuses
javascript:/vbscript:/file:/data: links after decoding entities; nh3 then keeps only an
allow-list of tags and attributes, only http, https and mailto (or relative) URLs, and
puts rel="nofollow noopener" on every link. Images are off: screenshots do not belong
in the forum (policy 8.6) and the CSP forbids images from other hosts anyway.
"""
import re
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markupsafe import Markup
import nh3

TAGS = {"p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
       .enable(["table", "strikethrough"])
       .disable("image"))


_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([^/?#]*):")


def safe_href(value):
    """The href when its scheme is allowed (or it has none), else None; decodes tricks first."""
    plain = _CONTROL.sub("", unquote(value)).lower()
    match = _SCHEME.match(plain)
    if match and match.group(1) not in URL_SCHEMES:
        return None  # e.g. "java%09script:" -- harmless in browsers, but never worth keeping
    return value


def _filter(tag, attribute, value):
    return safe_href(value) if attribute == "href" else value


def to_html(text):
    """Sanitized HTML for a post's Markdown, as a string."""
    raw = _md.render(text or "")
    return nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="nofollow noopener", strip_comments=True, attribute_filter=_filter)


def render(text):
    """Sanitized HTML for a post's Markdown, marked safe for Jinja (it has been cleaned)."""
    return Markup(to_html(text))
