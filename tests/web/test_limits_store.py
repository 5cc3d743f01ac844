"""Redis, the rate-limit store, unreachable: limited forms are refused with 503, other pages work."""
from portal.web import create_app
from tests.conftest import app_env
from tests.factories import csrf_token


def test_limited_form_answers_503_while_the_store_is_down(db_url, tmp_path):
    env = app_env(db_url, tmp_path) | {"PORTAL_REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens
    client = create_app({"TESTING": True}, env=env).test_client()
    assert client.get("/login").status_code == 200
    response = client.post("/login", data={"email": "a@example.test", "password": "wrong password",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 503 and b"Nothing was saved" in response.data
