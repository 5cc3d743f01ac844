"""Structured logs (issue 15): one JSON object a line, an access line per request with its
request id, user id, route rule, endpoint, status and time; ids taken from nginx when sane."""
import re

import pytest
from flask import current_app
from flask_login import current_user

from tests.factories import csrf_token
from tests.ops.conftest import access_lines

HEX_ID = re.compile(r"[0-9a-f]{32}\Z")


def test_an_access_line_per_request_with_every_field(client, log_lines):
    log_lines()
    response = client.get("/policy?page=2&token=QUERYSECRET")
    [line] = access_lines(log_lines())
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "method", "path", "endpoint",
                         "status", "duration_ms"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])  # UTC ISO
    assert (line["level"], line["method"], line["path"], line["endpoint"], line["status"]) == (
        "INFO", "GET", "/policy", "main.policy_page", 200)
    assert isinstance(line["duration_ms"], float) and "user_id" not in line  # nobody logged in
    assert line["request_id"] == response.headers["X-Request-ID"] and HEX_ID.match(line["request_id"])
    assert "QUERYSECRET" not in str(line)  # never the query string


def test_a_token_route_logs_its_rule_not_its_path(client, log_lines):
    log_lines()
    for url in ("/reset/SECRET-TOKEN-123", "/verify/SECRET-TOKEN-456", "/account/unsubscribe/SECRET-TOKEN-789"):
        client.get(url)
    lines = access_lines(log_lines())
    assert [line["path"] for line in lines] == ["/reset/<token>", "/verify/<token>", "/account/unsubscribe/<token>"]
    assert "SECRET-TOKEN" not in str(lines)


def test_a_path_no_route_matched_loses_its_long_segments(client, log_lines):
    log_lines()
    client.get("/reset/SECRETTOKEN0123456789/extra")  # no such route: a mangled link, say
    client.put("/reset/SECRETTOKEN0123456789")         # a method the route does not take
    lines = access_lines(log_lines())
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/reset/<redacted>/extra", 404), ("/reset/<redacted>", 405)]
    assert "SECRETTOKEN" not in str(lines)


@pytest.mark.parametrize("incoming,kept", [
    ("3f2a9c1e-req.42_x", True), ("a" * 64, True),
    ("a" * 65, False), ("has space", False), ("<script>", False), ("semi;colon", False), ("", False)])
def test_request_id_from_the_proxy_when_sane_else_a_new_one(client, log_lines, incoming, kept):
    log_lines()
    response = client.get("/ping", headers={"X-Request-ID": incoming})
    [line] = access_lines(log_lines())
    sent = response.headers["X-Request-ID"]
    assert sent == line["request_id"]
    if kept:
        assert sent == incoming
    else:
        assert sent != incoming and HEX_ID.match(sent)


def test_two_requests_get_two_ids(client):
    assert client.get("/ping").headers["X-Request-ID"] != client.get("/ping").headers["X-Request-ID"]


def test_app_lines_inside_a_request_carry_its_request_id_and_user_id(app, client, make_user, login, log_lines):
    @app.route("/_test/log")
    def log_something():
        _ = current_user.is_authenticated  # the page loads the user, as every rendered page does
        current_app.logger.warning("something worth a line")
        return "ok"
    user = make_user()
    login(user)
    log_lines()
    response = client.get("/_test/log", headers={"X-Request-ID": "from-nginx-1"})
    lines = log_lines()
    [app_line] = [line for line in lines if line["message"] == "something worth a line"]
    [access] = access_lines(lines)
    assert app_line["level"] == "WARNING" and app_line["logger"] == "portal"
    assert app_line["request_id"] == access["request_id"] == response.headers["X-Request-ID"] == "from-nginx-1"
    assert app_line["user_id"] == access["user_id"] == user.id
    assert user.email not in str(lines)  # the id, never the address


def test_a_line_outside_a_request_has_no_request_fields(app, log_lines):
    log_lines()
    app.logger.warning("at start-up")
    [line] = log_lines()
    assert line["message"] == "at start-up" and "request_id" not in line and "user_id" not in line


def test_an_unhandled_error_is_logged_with_the_rule_and_the_traceback_not_the_path(app, client, log_lines):
    @app.route("/_test/boom/<token>")
    def boom(token):
        raise RuntimeError("kaboom")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as production does
    log_lines()
    assert client.get("/_test/boom/SECRETTOKEN42").status_code == 500
    lines = log_lines()
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["message"] == "unhandled exception on GET /_test/boom/<token>"
    assert "RuntimeError: kaboom" in error["exception"] and error["request_id"]
    assert access_lines(lines)[0]["status"] == 500
    assert "SECRETTOKEN42" not in str(lines)


def test_text_format_for_development(db_url, tmp_path, capsys):
    from portal.web import create_app
    from tests.conftest import app_env
    app = create_app({"TESTING": True}, env=app_env(db_url, tmp_path) | {"PORTAL_LOG_FORMAT": "text"})
    capsys.readouterr()
    response = app.test_client().get("/reset/SECRET-TOKEN-1")
    err = capsys.readouterr().err
    assert "portal.access GET /reset/<token> 400" in err and "SECRET-TOKEN" not in err
    assert not err.lstrip().startswith("{") and response.headers["X-Request-ID"]


def test_log_format_setting():
    from cryptography.fernet import Fernet

    from portal.config import ConfigError, load_config
    production = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 32,
                  "PORTAL_CREDENTIALS_KEY": Fernet.generate_key().decode(), "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
                  "PORTAL_BASE_URL": "https://support.example.test"}
    assert load_config(production)["LOG_FORMAT"] == "json"
    assert load_config(production | {"PORTAL_LOG_FORMAT": "text"})["LOG_FORMAT"] == "text"
    with pytest.raises(ConfigError, match="PORTAL_LOG_FORMAT"):
        load_config(production | {"PORTAL_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="PORTAL_METRICS_TOKEN"):
        load_config(production | {"PORTAL_METRICS_TOKEN": "short"})
    with pytest.raises(ConfigError, match="PORTAL_READY_OUTBOX_MAX_AGE"):
        load_config(production | {"PORTAL_READY_OUTBOX_MAX_AGE": "soon"})


def test_a_logged_in_page_logs_its_user_and_logout_no_longer_does(client, make_user, login, log_lines):
    user = make_user()
    login(user)
    token = csrf_token(client, "/account/")
    log_lines()
    client.get("/account/")
    client.post("/logout", data={"csrf_token": token})
    page, logout = access_lines(log_lines())
    assert (page["path"], page["status"], page["user_id"]) == ("/account/", 200, user.id)
    assert (logout["method"], logout["path"], logout["status"]) == ("POST", "/logout", 302)
    assert "user_id" not in logout  # logged out by the time the line is written
