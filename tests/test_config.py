"""Configuration from the environment (issue 2 part 2)."""
import subprocess
import sys

import pytest

from portal.config import ConfigError, load_config
from portal.config import ROOT


def test_production_requires_secret_key():
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY is required"):
        load_config({"PORTAL_ENV": "production"})


@pytest.mark.parametrize("env, message", [
    ({"PORTAL_DATABASE_URL": "mysql://x"}, "PORTAL_DATABASE_URL"),
    ({"PORTAL_MAIL_PORT": "twenty-five"}, "PORTAL_MAIL_PORT"),
    ({"PORTAL_MAIL_BACKEND": "pigeon"}, "PORTAL_MAIL_BACKEND"),
    ({"PORTAL_REDIS_URL": "localhost:6379"}, "PORTAL_REDIS_URL"),
    ({"PORTAL_CREDENTIALS_KEY": "short"}, "PORTAL_CREDENTIALS_KEY"),
    ({"PORTAL_SECRET_KEY": "tiny"}, "PORTAL_SECRET_KEY"),
    ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
])
def test_malformed_settings_name_the_setting(env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_production_cookies_are_secure():
    from cryptography.fernet import Fernet
    config = load_config({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 32,
                          "PORTAL_CREDENTIALS_KEY": Fernet.generate_key().decode(),
                          "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
                          "PORTAL_BASE_URL": "https://support.example.test"})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_startup_stops_with_one_clear_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PORTAL_ENV": "production", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "portal: configuration error: PORTAL_SECRET_KEY is required when PORTAL_ENV=production"]


def _production(**extra):
    from cryptography.fernet import Fernet
    return {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 32,
            "PORTAL_CREDENTIALS_KEY": Fernet.generate_key().decode(),
            "PORTAL_BASE_URL": "https://support.example.test", **extra}


def test_production_rate_limits_need_a_shared_store():
    with pytest.raises(ConfigError, match="PORTAL_REDIS_URL is required"):
        load_config(_production())
    shared = load_config(_production(PORTAL_REDIS_URL="redis://127.0.0.1:6379/3"))
    assert shared["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    chosen = load_config(_production(PORTAL_RATELIMIT_STORAGE="memory"))
    assert chosen["RATELIMIT_STORAGE_URI"] == "memory://"
    with pytest.raises(ConfigError, match="needs PORTAL_REDIS_URL"):
        load_config(_production(PORTAL_RATELIMIT_STORAGE="redis"))


def test_development_secrets_are_created_private(tmp_path, monkeypatch):
    import stat
    from portal import config
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    first = config._instance_secret("secret_key", lambda: "abc")
    assert first == "abc" and config._instance_secret("secret_key", lambda: "other") == "abc"
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_production_requires_the_base_url_of_mail_links():
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL is required"):
        load_config({k: v for k, v in _production(PORTAL_REDIS_URL="redis://127.0.0.1:6379/3").items()
                     if k != "PORTAL_BASE_URL"})
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL must look like"):
        load_config(_production(PORTAL_REDIS_URL="redis://127.0.0.1:6379/3", PORTAL_BASE_URL="support.test"))


@pytest.mark.parametrize("bind, expected", [
    (None, "http://127.0.0.1:8000"),
    ("127.0.0.1:9123", "http://127.0.0.1:9123"),
    ("portal.lan:8080", "http://portal.lan:8080"),
])
def test_development_links_point_where_the_portal_is_served(bind, expected):
    env = {} if bind is None else {"PORTAL_BIND": bind}
    assert load_config(env)["BASE_URL"] == expected
    assert load_config(env | {"PORTAL_BASE_URL": "https://x.test/"})["BASE_URL"] == "https://x.test"
