"""Settings from the environment, in one place (defaults, then environment, then overrides)."""
import base64
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(Exception):
    """A missing or malformed setting; the message is one line naming it."""


def _int(env, name, default, low=None, high=None):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _bool(env, name, default):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(env, name, default, choices):
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be {' or '.join(choices)}, got {value!r}")
    return value


def _instance_secret(filename, make):
    """Read a development secret from instance/, creating it on first use."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / filename
    try:  # created private from the start (never briefly world-readable)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(make())
    return path.read_text().strip()


def _database_url(env):
    url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{INSTANCE / 'portal.db'}"
    scheme = urlparse(url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql"):
        raise ConfigError(
            f"PORTAL_DATABASE_URL must start with sqlite:/// or postgresql://, got {scheme or url!r}")
    if scheme == "sqlite" and not url.startswith("sqlite:///"):
        raise ConfigError("PORTAL_DATABASE_URL for SQLite must look like sqlite:///path/to/file.db")
    return url


def _fernet_key(env, development):
    from cryptography.fernet import Fernet

    key = env.get("PORTAL_CREDENTIALS_KEY")
    if not key:
        if not development:
            raise ConfigError("PORTAL_CREDENTIALS_KEY is required outside development "
                              "(make one with: python -c 'from cryptography.fernet import Fernet; "
                              "print(Fernet.generate_key().decode())')")
        key = _instance_secret("credentials.key", lambda: Fernet.generate_key().decode())
    try:
        if len(base64.urlsafe_b64decode(key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ConfigError("PORTAL_CREDENTIALS_KEY must be a Fernet key (32 url-safe base64 bytes)") from None
    return key


def _base_url(env, development):
    """Where links in mails point. Production names it; development links to where uWSGI
    serves (PORTAL_BIND), never to a request's Host header, which a forged request could set
    to put its own address into someone's reset link."""
    url = (env.get("PORTAL_BASE_URL") or "").strip().rstrip("/")
    if not url:
        if not development:
            raise ConfigError("PORTAL_BASE_URL is required when PORTAL_ENV=production "
                              "(the address links in mails point to, like https://support.example.com)")
        host, _, port = (env.get("PORTAL_BIND") or "127.0.0.1:8000").rpartition(":")
        if host in ("", "0.0.0.0", "[::]", "::"):  # every interface: this machine's name reaches it
            host = socket.gethostname()
        url = f"http://{host}:{port}"
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"PORTAL_BASE_URL must look like https://host[:port], got {url!r}")
    return url


def _observability(env, development):
    """Logs, metrics and the readiness probe (docs/operations.md, Logs and metrics)."""
    log_format = env.get("PORTAL_LOG_FORMAT") or ("text" if development else "json")
    if log_format not in ("json", "text"):
        raise ConfigError(f"PORTAL_LOG_FORMAT must be json or text, got {log_format!r}")
    token = env.get("PORTAL_METRICS_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("PORTAL_METRICS_TOKEN must be at least 16 characters")
    return {"LOG_FORMAT": log_format,
            "METRICS_TOKEN": token,  # unset: /metrics answers 404 to everyone
            "READY_OUTBOX_MAX_AGE": _int(env, "PORTAL_READY_OUTBOX_MAX_AGE", 900, 1, 7 * 86400)}


def load_config(env=None):
    """Build the settings dict from the environment; raise ConfigError on a bad value."""
    env = os.environ if env is None else env
    mode = env.get("PORTAL_ENV", "development")
    if mode not in ("development", "production", "test"):
        raise ConfigError(f"PORTAL_ENV must be development, production or test, got {mode!r}")
    development = mode != "production"
    secret = env.get("PORTAL_SECRET_KEY")
    if not secret:
        if not development:
            raise ConfigError("PORTAL_SECRET_KEY is required when PORTAL_ENV=production")
        secret = _instance_secret("secret_key", lambda: secrets.token_hex(32))
    elif len(secret) < 16:
        raise ConfigError("PORTAL_SECRET_KEY must be at least 16 characters")
    mail_backend = env.get("PORTAL_MAIL_BACKEND", "file" if development else "smtp")
    if mail_backend not in ("smtp", "file", "console", "memory"):
        raise ConfigError(f"PORTAL_MAIL_BACKEND must be smtp, file, console or memory, got {mail_backend!r}")
    redis_url = env.get("PORTAL_REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("PORTAL_REDIS_URL must start with redis://, rediss:// or unix://")
    limits_store = env.get("PORTAL_RATELIMIT_STORAGE", "redis" if redis_url else "memory")
    if limits_store not in ("redis", "memory"):
        raise ConfigError(f"PORTAL_RATELIMIT_STORAGE must be redis or memory, got {limits_store!r}")
    if limits_store == "redis" and not redis_url:
        raise ConfigError("PORTAL_RATELIMIT_STORAGE=redis needs PORTAL_REDIS_URL")
    if not development and limits_store == "memory" and "PORTAL_RATELIMIT_STORAGE" not in env:
        # each uWSGI worker would count on its own: limits x4, reset on reload
        raise ConfigError("PORTAL_REDIS_URL is required when PORTAL_ENV=production "
                          "(or set PORTAL_RATELIMIT_STORAGE=memory to accept per-process limits)")
    # who is on a staff page (portal.services.presence): shared by every worker in Redis, or the
    # database table for a single-machine install
    presence_store = env.get("PORTAL_PRESENCE_STORE", "redis" if redis_url else "database")
    if presence_store not in ("redis", "database"):
        raise ConfigError(f"PORTAL_PRESENCE_STORE must be redis or database, got {presence_store!r}")
    if presence_store == "redis" and not redis_url:
        raise ConfigError("PORTAL_PRESENCE_STORE=redis needs PORTAL_REDIS_URL")
    return {
        "PORTAL_ENV": mode,
        "SECRET_KEY": secret,
        "DATABASE_URL": _database_url(env),
        "DB_POOL_SIZE": _int(env, "PORTAL_DB_POOL_SIZE", 8, 1, 100),
        "REDIS_URL": redis_url,
        "CREDENTIALS_KEY": _fernet_key(env, development),
        "BASE_URL": _base_url(env, development),
        "MAIL_BACKEND": mail_backend,
        "MAIL_HOST": env.get("PORTAL_MAIL_HOST", "127.0.0.1"),
        "MAIL_PORT": _int(env, "PORTAL_MAIL_PORT", 25, 1, 65535),
        "MAIL_USERNAME": env.get("PORTAL_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("PORTAL_MAIL_PASSWORD") or None,
        "MAIL_STARTTLS": _bool(env, "PORTAL_MAIL_STARTTLS", False),
        "MAIL_FROM": env.get("PORTAL_MAIL_FROM", "support@portal.test"),
        "MAIL_DIR": env.get("PORTAL_MAIL_DIR", str(INSTANCE / "outbox")),
        # the portal's mail domain: Message-IDs and the signed reply addresses live on it
        "MAIL_DOMAIN": (env.get("PORTAL_MAIL_DOMAIN")
                        or env.get("PORTAL_MAIL_FROM", "support@portal.test").rpartition("@")[2]).lower(),
        # the sender (portal/services/mail_sender.py): attempts, backoff doubling from the first
        # delay up to the cap, how long a claimed row is held before another sender may retry it
        "MAIL_SEND_MAX_ATTEMPTS": _int(env, "PORTAL_MAIL_SEND_MAX_ATTEMPTS", 8, 1, 100),
        "MAIL_SEND_BACKOFF_SECONDS": _int(env, "PORTAL_MAIL_SEND_BACKOFF_SECONDS", 60, 0, 86400),
        "MAIL_SEND_BACKOFF_MAX_SECONDS": _int(env, "PORTAL_MAIL_SEND_BACKOFF_MAX_SECONDS", 3600, 0, 7 * 86400),
        "MAIL_SEND_LEASE_SECONDS": _int(env, "PORTAL_MAIL_SEND_LEASE_SECONDS", 300, 1, 86400),
        "MAIL_SEND_POLL_SECONDS": _int(env, "PORTAL_MAIL_SEND_POLL_SECONDS", 5, 1, 3600),
        # the inbound SMTP server (reply by email, policy 4.3): loopback by default, an MTA in front
        "MAIL_INBOUND_HOST": env.get("PORTAL_MAIL_INBOUND_HOST", "127.0.0.1"),
        "MAIL_INBOUND_PORT": _int(env, "PORTAL_MAIL_INBOUND_PORT", 2525, 1, 65535),
        "TRUSTED_PROXIES": env.get("PORTAL_TRUSTED_PROXIES", ""),  # portal/web/proxy.py
        "UPLOAD_DIR": env.get("PORTAL_UPLOAD_DIR", str(INSTANCE / "uploads")),
        # where attachments' bytes live (portal/services/file_store.py): the database, which every
        # app node shares, or UPLOAD_DIR on this machine's disk (a single machine only)
        "ATTACHMENT_STORE": _choice(env, "PORTAL_ATTACHMENT_STORE", "database", ("database", "disk")),
        "MAX_CONTENT_LENGTH": _int(env, "PORTAL_MAX_UPLOAD_MB", 10, 1, 512) * 1024 * 1024,
        "UPLOAD_EXTENSIONS": tuple(
            e.strip().lower() for e in env.get(
                "PORTAL_UPLOAD_EXTENSIONS", "png,jpg,jpeg,gif,txt,log,pdf,zip").split(",") if e.strip()),
        "POLICY_FILE": env.get("PORTAL_POLICY_FILE") or None,
        "RATELIMIT_ENABLED": _bool(env, "PORTAL_RATELIMIT", True),
        "RATELIMIT_STORAGE_URI": redis_url if limits_store == "redis" else "memory://",
        "PRESENCE_STORE": presence_store,
        # rendered page pieces kept per worker, keyed by what they show (portal/web/fragments.py)
        "FRAGMENT_CACHE_ENTRIES": _int(env, "PORTAL_FRAGMENT_CACHE_ENTRIES", 2000, 0, 1_000_000),
        "FRAGMENT_CACHE_MB": _int(env, "PORTAL_FRAGMENT_CACHE_MB", 8, 1, 4096),
        # flask / flask-wtf / cookies (policy: staff pages stay open a working day)
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not development,
        "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
        **_observability(env, development),
    }
