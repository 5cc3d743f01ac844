"""A session's signed CSRF token is reused for a minute per worker (portal/web/csrf_tokens.py),
never across sessions, and a reused token passes the same check as a fresh one."""
import re

from portal.web import csrf_tokens
from tests import factories


def _token(client, url="/policy"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_token_is_reused_within_the_minute_and_signed_afresh_after(app, make_user, login, monkeypatch):
    client = login(make_user())
    clock = [1_000_000.0]
    monkeypatch.setattr(csrf_tokens.time, "time", lambda: clock[0])
    first = _token(client)
    clock[0] += 30
    assert _token(client) == first
    clock[0] += 31  # 61 s after it was signed
    later = _token(client)
    assert later != first
    clock[0] -= 3600  # a clock that went back never hands out a token from its future
    assert _token(client) != later


def test_sessions_never_share_a_token_and_a_reused_token_posts(app, make_user, login):
    a = login(make_user(), app.test_client())
    b = login(make_user(), app.test_client())
    token_a, token_b = _token(a), _token(b)
    assert token_a != token_b
    reused = _token(a)
    assert reused == token_a
    response = a.post("/logout", data={"csrf_token": reused})
    assert response.status_code == 302
    # b's token is not a's: refused in a's session
    other = login(make_user(), app.test_client())
    assert other.post("/logout", data={"csrf_token": token_b}).status_code == 400
