"""Security base (issue 2 part 6): headers, CSRF, same-origin, safe redirects, htmx render."""
import pytest

from tests.factories import PASSWORD, csrf_token


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_required_on_posts_including_htmx(client, make_user, login):
    login(make_user())
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": "forged"}).status_code == 400
    token = csrf_token(client, "/account/")
    assert client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token}).status_code == 302


def test_base_template_sends_csrf_in_hx_headers(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "htmx.min.js" in html and "//" not in html.split("htmx.min.js")[0].rsplit("src=", 1)[1]


def test_cross_origin_post_rejected(client):
    token = csrf_token(client)
    response = client.post("/login", data={"email": "a@b.test", "password": "x", "csrf_token": token},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", " //evil.example", "http:/evil.example"])
def test_no_open_redirect_after_login(client, make_user, target):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.location.startswith("/") and not response.location.startswith("//")


def test_next_on_site_is_followed(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/account/",
                                           "csrf_token": csrf_token(client)})
    assert response.location == "/account/"


def test_render_helper_page_or_block(app):
    from portal.web.render import render
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        app.preprocess_request()
        response = render("error.html", block="content", title="T", message="M")
        assert b"<html" not in response.data and b"M" in response.data
        assert "HX-Request" in response.headers["Vary"]
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):
        app.preprocess_request()
        assert b"<html" in render("error.html", block="content", title="T", message="M").data
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        app.preprocess_request()
        assert b"<html" in render("error.html", block="content", title="T", message="M").data


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    ready = client.get("/readyz")  # the database answer moved to the readiness probe
    assert ready.status_code == 200 and ready.json["checks"]["database"] == "ok"


def test_admin_area_hidden_from_others(client, make_user, login):
    assert client.get("/admin/users").status_code == 404
    login(make_user(role="staff"))
    assert client.get("/admin/users").status_code == 404


def test_admin_creates_staff_and_reseller(client, make_user, login):
    from portal.models import User
    login(make_user(role="admin"))
    for role in ("staff", "reseller"):
        response = client.post("/admin/users", data={"email": f"{role}@new.test", "password": "a long password",
                                                      "role": role, "csrf_token": csrf_token(client, "/admin/users")})
        assert response.status_code == 302
        assert User.by_email(f"{role}@new.test").role == role
    bad = client.post("/admin/users", data={"email": "x@new.test", "password": "a long password",
                                            "role": "superuser", "csrf_token": csrf_token(client, "/admin/users")})
    assert bad.status_code == 400 and User.by_email("x@new.test") is None


def test_bare_post_baseline_checks_csrf_like_every_form(client):
    """POST /ping is the benchmark's baseline of a form post: it pays the same CSRF check."""
    assert client.post("/ping").status_code == 400
    assert client.post("/ping", data={"csrf_token": csrf_token(client)}).status_code == 200
