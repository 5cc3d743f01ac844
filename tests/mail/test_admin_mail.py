"""/admin/mail: admins see queued, sent and failed mail with the server's answer and retry a failed
one (POST with CSRF); nobody else finds the page (404)."""
import pytest

from portal.models import OutboxMail
from tests.factories import csrf_token
from tests.mail.test_outbox import _queue
from portal.mail import run_sender


@pytest.fixture
def admin_client(smtp_app, in_ctx):
    from tests import factories
    admin = in_ctx(factories.make_user)(role="admin")
    client = smtp_app.test_client()
    client.post("/login", data={"email": admin.email, "password": factories.PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    return client


def test_admin_sees_sent_and_failed_with_the_answer_and_retries(smtp_app, sink, admin_client):
    _queue(smtp_app, 1, prefix="ok")
    _queue(smtp_app, 1, prefix="refused")
    run_sender(smtp_app, once=True)
    page = admin_client.get("/admin/mail").get_data(as_text=True)
    assert 'data-status="sent"' in page and 'data-status="failed"' in page
    assert "550 5.1.1 no such mailbox here" in page and "250 2.0.0 queued as test" in page
    failed = OutboxMail.get(OutboxMail.status == "failed")
    only_failed = admin_client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert 'data-status="sent"' not in only_failed and f'data-mail="{failed.id}"' in only_failed
    assert admin_client.post(f"/admin/mail/{failed.id}/retry").status_code == 400  # no CSRF token
    token = csrf_token(admin_client, "/admin/mail?status=failed")
    response = admin_client.post(f"/admin/mail/{failed.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert OutboxMail.get_by_id(failed.id).status == "queued"
    sent = OutboxMail.get(OutboxMail.status == "sent")
    assert admin_client.post(f"/admin/mail/{sent.id}/retry", data={"csrf_token": token}).status_code == 404


def test_bad_filter_values_show_everything_not_an_error(smtp_app, admin_client):
    assert admin_client.get("/admin/mail?status=nonsense&page=x").status_code == 200


@pytest.mark.parametrize("role", [None, "customer", "staff", "reseller"])
def test_nobody_but_admins_finds_the_outbox(smtp_app, in_ctx, role):
    from tests import factories
    client = smtp_app.test_client()
    if role:
        user = in_ctx(factories.make_user)(role=role)
        client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                    "csrf_token": csrf_token(client, "/login")})
    assert client.get("/admin/mail").status_code == 404
    token = csrf_token(client, "/policy")  # a valid token: the refusal is the 404, not CSRF's 400
    assert client.post("/admin/mail/1/retry", data={"csrf_token": token}).status_code == 404
