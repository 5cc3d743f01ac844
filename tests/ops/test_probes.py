"""/healthz says the process is alive without asking anything; /readyz says whether a node may
take traffic: the database, Redis when configured, and the outbox's age (issue 15)."""
import datetime
import socket

import pytest

from portal.db import utcnow
from portal.models import OutboxMail
from tests.conftest import app_env
from tests.e2e.conftest import free_port


def test_healthz_is_alive_and_asks_nothing(client, monkeypatch):
    from portal import db as database
    from tests.factories import counting_queries

    def no_connection(*args, **kwargs):
        raise AssertionError("/healthz opened a database connection")
    database.close_connection()
    monkeypatch.setattr(database.db.obj, "connect", no_connection)
    with counting_queries() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"} and queries == []


def test_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "outbox": "ok"}}  # no Redis configured


@pytest.fixture
def app_without_database(tmp_path, migrated_template):
    """An app whose database cannot be opened (its folder does not exist)."""
    from portal import db as database
    from portal.web import create_app
    url = f"sqlite:///{tmp_path / 'missing' / 'portal.db'}"
    app = create_app({"TESTING": True}, env=app_env(url, tmp_path) | {"PORTAL_LOG_FORMAT": "json"})
    yield app
    database.close_connection()


def test_database_down_is_not_ready_but_alive(app_without_database):
    client = app_without_database.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not ready" and response.json["failed"] == ["database"]
    assert response.json["checks"]["database"].startswith("down: ")
    assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_redis_down_is_not_ready(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["failed"] == ["redis"]
    assert response.json["checks"]["redis"] == "down: ConnectionError"
    assert response.json["checks"]["database"] == "ok"


def test_a_redis_that_accepts_and_never_answers_times_out_quickly(app, client):
    """A hung Redis (connection accepted, no answer) must not hang the probe: the short socket
    timeout (portal/services/health.py) answers 503 instead."""
    from portal.services import health
    assert health.REDIS_TIMEOUT <= 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the connection; nobody ever reads or answers
    try:
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        response = client.get("/readyz")
    finally:
        silent.close()
    assert response.status_code == 503 and response.json["failed"] == ["redis"]
    assert response.json["checks"]["redis"] == "down: TimeoutError"


def test_redis_that_answers_is_ready(app, client):
    url = "redis://127.0.0.1:6379/0"
    try:
        import redis
        redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis on 127.0.0.1:6379")
    app.config["REDIS_URL"] = url
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"]["redis"] == "ok"


def _queued(app, waited_seconds):
    with app.app_context():
        OutboxMail.create(to="someone@example.test", subject="s", text="t", token="x" * 32, status="queued",
                          created_at=utcnow() - datetime.timedelta(seconds=waited_seconds + 60),
                          next_attempt_at=utcnow() - datetime.timedelta(seconds=waited_seconds))


def test_an_old_due_mail_is_not_ready(app, client):
    _queued(app, 1000)  # the default limit is 900 s
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["failed"] == ["outbox"]
    assert response.json["checks"]["outbox"].startswith("oldest due mail waited 1000 s (max 900 s)")
    app.config["READY_OUTBOX_MAX_AGE"] = 3600  # PORTAL_READY_OUTBOX_MAX_AGE
    assert client.get("/readyz").status_code == 200


def test_a_recent_mail_or_one_waiting_out_its_backoff_is_ready(app, client):
    _queued(app, 30)
    with app.app_context():  # an old mail whose next attempt is later: the sender is not behind
        OutboxMail.create(to="x@example.test", subject="s", text="t", token="y" * 32, status="queued",
                          created_at=utcnow() - datetime.timedelta(hours=5),
                          next_attempt_at=utcnow() + datetime.timedelta(minutes=30))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"]["outbox"] == "ok"


def test_everything_down_names_everything(app_without_database):
    app_without_database.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    response = app_without_database.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["failed"] == ["database", "redis"]
    assert response.json["checks"]["outbox"] == "unknown: database down"
