"""Posts render as safe Markdown: no script, no on* handlers, only http(s)/mailto/relative links."""
import re

import pytest

from portal.services.markdown import to_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)' onclick='alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.test></iframe>",
    '[x](https://ok.test "a" onmouseover="alert(1)")',
    "<style>body{display:none}</style>",
]


def _hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_is_inert(text):
    html = to_html(text)
    assert not re.search(r"<(script|img|svg|iframe|style)\b", html, re.I)
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I)  # no event-handler attributes on any tag
    for href in _hrefs(html):
        cleaned = re.sub(r"[\x00-\x20]", "", href).lower()
        assert re.match(r"^(https?:|mailto:|/|#|[^:]*$)", cleaned), href


def test_links_get_nofollow_noopener():
    html = to_html("[docs](https://www.remoteutilities.com/support/) <https://a.test/x> [m](mailto:a@b.test) [r](/forum)")
    assert html.count('rel="nofollow noopener"') == 4
    assert _hrefs(html) == ["https://www.remoteutilities.com/support/", "https://a.test/x", "mailto:a@b.test", "/forum"]


def test_other_schemes_lose_their_href():
    assert "href" not in to_html("[f](ftp://files.test/x) [f](file:///etc/passwd)")


def test_ordinary_markdown_survives():
    html = to_html("# Title\n\n**bold** *em* `code`\n\n```\npre\n```\n\n- a\n- b\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    for tag in ("<h1>", "<strong>", "<em>", "<code>", "<pre>", "<ul>", "<blockquote>", "<table>"):
        assert tag in html
