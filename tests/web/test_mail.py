"""Mail leaves after the response (MAIL_DEFER), so the reset page costs the same for every address."""
from tests.factories import csrf_token


def test_mail_is_sent_after_the_response_closes(app, client, make_user, outbox):
    app.config["MAIL_DEFER"] = True
    user = make_user()
    token = csrf_token(client, "/reset")
    response = client.post("/reset", data={"email": user.email, "csrf_token": token})
    assert response.status_code == 200
    assert outbox == []  # nothing was sent while the request was answered
    response.close()  # the server closes the response once it is sent
    assert len(outbox) == 1 and outbox[0]["to"] == user.email


def test_unknown_address_sends_nothing_even_after_close(app, client, outbox):
    app.config["MAIL_DEFER"] = True
    response = client.post("/reset", data={"email": "ghost@example.test", "csrf_token": csrf_token(client, "/reset")})
    response.close()
    assert response.status_code == 200 and outbox == []


def test_smtp_failure_is_logged_without_the_address(app, client, make_user, caplog, monkeypatch):
    outbox = app.extensions["outbox"]
    monkeypatch.setattr(outbox, "deliver", lambda msg: (_ for _ in ()).throw(OSError("down")))
    user = make_user()
    response = client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    assert response.status_code == 200
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
    app.config["MAIL_DEFER"] = False
    user = make_user()
    client.post("/register", data={"email": "new@example.test", "password": "a long password",
                                   "confirm": "a long password", "csrf_token": csrf_token(client, "/register")})
    client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    bodies = [m["body"] for m in outbox]
    assert len(bodies) == 2 and "https://support.example.test/verify/" in bodies[0]
    assert "https://support.example.test/reset/" in bodies[1]
    assert not any("test//" in body for body in bodies)
