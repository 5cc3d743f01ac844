"""Forwarded headers are believed only from PORTAL_TRUSTED_PROXIES (portal/web/proxy.py)."""
import pytest
from flask import request

from portal.config import ConfigError
from portal.web import create_app
from portal.web.extensions import email_key
from tests.conftest import app_env
from tests.factories import csrf_token

NGINX, STRANGER = "10.0.0.5", "203.0.113.9"
FORGED = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.test"}


def make_client(db_url, tmp_path, trusted="10.0.0.0/24, 127.0.0.1", **env):
    app = create_app({"TESTING": True}, env=app_env(db_url, tmp_path) | {"PORTAL_TRUSTED_PROXIES": trusted} | env)

    @app.route("/_seen")
    def seen():  # what the app believes about the request, and the rate-limit key it counts under
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host,
                "limit_key": email_key()}
    return app.test_client()


def seen(client, remote, headers=FORGED):
    return client.get("/_seen", headers=headers, environ_base={"REMOTE_ADDR": remote}).get_json()


def test_forged_headers_from_an_untrusted_address_change_nothing(db_url, tmp_path):
    got = seen(make_client(db_url, tmp_path), STRANGER)
    assert got == {"addr": STRANGER, "scheme": "http", "host": "localhost", "limit_key": STRANGER}


def test_the_trusted_proxy_gives_the_client_address_scheme_and_host(db_url, tmp_path):
    got = seen(make_client(db_url, tmp_path), NGINX)
    assert got == {"addr": "198.51.100.7", "scheme": "https", "host": "evil.test", "limit_key": "198.51.100.7"}


def test_only_the_address_nginx_appended_counts(db_url, tmp_path):
    """A client's own X-Forwarded-For comes first; nginx appends what it saw: the last one is taken."""
    got = seen(make_client(db_url, tmp_path), NGINX, {"X-Forwarded-For": "1.2.3.4, 198.51.100.8"})
    assert got["addr"] == "198.51.100.8"


def test_nobody_is_trusted_by_default(db_url, tmp_path):
    got = seen(make_client(db_url, tmp_path, trusted=""), "127.0.0.1")
    assert got["addr"] == "127.0.0.1" and got["scheme"] == "http"


def test_a_bad_entry_stops_start_up_naming_the_setting(db_url, tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_TRUSTED_PROXIES"):
        make_client(db_url, tmp_path, trusted="10.0.0.0/33")


def _login_statuses(client, remote, forwarded_for, count):
    statuses = []
    for n in range(count):  # a new address each time: only the per-address limit (10 a minute) can bite
        token = csrf_token(client)
        headers = {"X-Forwarded-For": forwarded_for(n)}
        statuses.append(client.post("/login", data={"email": f"nobody{n}@example.test", "password": "wrong",
                                                    "csrf_token": token},
                                    headers=headers, environ_base={"REMOTE_ADDR": remote}).status_code)
    return statuses


def test_a_stranger_cannot_dodge_the_login_limit_by_forging_addresses(db_url, tmp_path):
    client = make_client(db_url, tmp_path, PORTAL_RATELIMIT="true")
    statuses = _login_statuses(client, STRANGER, lambda n: f"198.51.100.{n + 1}", 12)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_behind_nginx_each_client_has_its_own_limit(db_url, tmp_path):
    """Otherwise every user would share nginx's one address and its 10 logins a minute."""
    client = make_client(db_url, tmp_path, PORTAL_RATELIMIT="true")
    statuses = _login_statuses(client, NGINX, lambda n: f"198.51.100.{n + 1}", 12)
    assert statuses == [401] * 12
