"""Mail is a row of the outbox, written by the request; the sender delivers it (issue 14)."""
from portal.models import MailAttempt, OutboxMail
from tests.factories import csrf_token


def test_reset_queues_one_outbox_row_and_the_sender_delivers_it(app, client, make_user, outbox):
    user = make_user()
    response = client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    assert response.status_code == 200
    rows = list(OutboxMail.select())
    assert [(r.to, r.kind) for r in rows] == [(user.email, "reset")]
    assert len(outbox) == 1 and outbox[0]["to"] == user.email
    assert OutboxMail.get_by_id(rows[0].id).status == "sent"


def test_unknown_address_queues_nothing(app, client, outbox):
    response = client.post("/reset", data={"email": "ghost@example.test", "csrf_token": csrf_token(client, "/reset")})
    assert response.status_code == 200 and outbox == [] and OutboxMail.select().count() == 0


def test_smtp_failure_is_kept_for_a_retry_and_logged_without_the_address(app, client, make_user, caplog,
                                                                          monkeypatch):
    outbox = app.extensions["outbox"]
    monkeypatch.setattr(outbox, "deliver", lambda msg: (_ for _ in ()).throw(OSError("down")))
    user = make_user()
    response = client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    assert response.status_code == 200
    row = OutboxMail.get()
    assert row.status == "queued" and row.attempts == 1 and row.last_error == "OSError: down"
    assert [a.outcome for a in MailAttempt.select()] == ["retry"]
    assert "mail to example.test failed: OSError" in caplog.text and user.email not in caplog.text


def test_links_in_mails_point_where_the_portal_is_served(db_url, tmp_path, monkeypatch):
    from portal.web import create_app
    from tests.conftest import app_env
    env = app_env(db_url, tmp_path) | {"PORTAL_BIND": "127.0.0.1:9123"}
    del env["PORTAL_BASE_URL"]
    app = create_app({"TESTING": True}, env=env)
    client, outbox = app.test_client(), app.extensions["outbox"].sent
    client.post("/register", data={"email": "new@example.test", "password": "a long password",
                                   "confirm": "a long password", "csrf_token": csrf_token(client, "/register")})
    client.post("/reset", data={"email": "new@example.test", "csrf_token": csrf_token(client, "/reset")})
    assert [m["subject"] for m in outbox] == ["Confirm your email for the support portal",
                                              "Reset your support portal password"]
    assert "http://127.0.0.1:9123/verify/" in outbox[0]["body"]
    assert "http://127.0.0.1:9123/reset/" in outbox[1]["body"]


def test_auth_mails_build_their_links_like_every_other_mail(app, client, make_user, outbox):
    """Verification and reset links come from links.absolute, as staff replies and calendar files do."""
    app.config["BASE_URL"] = "https://support.example.test/"  # a trailing slash, as a setting may be typed
    user = make_user()
    client.post("/register", data={"email": "new@example.test", "password": "a long password",
                                   "confirm": "a long password", "csrf_token": csrf_token(client, "/register")})
    client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    bodies = [m["body"] for m in outbox]
    assert len(bodies) == 2 and "https://support.example.test/verify/" in bodies[0]
    assert "https://support.example.test/reset/" in bodies[1]
    assert not any("test//" in body for body in bodies)
