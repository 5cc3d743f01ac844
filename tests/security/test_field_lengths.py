"""Every text a user can fill is bounded by its column on both databases (SQLite does not enforce
varchar): the service refuses it with a message first, and BaseModel.save refuses what slips by."""
import pytest

from portal.db import FieldTooLong
from portal.models import Category
from tests.security.attack_helpers import client_for, overlong_values, post, text, world  # noqa: F401


def family_posts(world):
    """(role, url, form, status, message) per family of user-filled text fields."""
    t, bug = world.ids["ticket_id"], world.ids["bug_id"]
    long_version = "1.2.3." + "4" * 30
    return {
        "tickets": [("customer", "/tickets/new", {"product": "Remote Utilities", "version": "8.1.0.3",
                     "subject": "S" * 201, "body": "The Viewer does not connect.", "accept_policy": "1"},
                     400, ""),
                    ("customer", "/tickets/new", {"product": "Remote Utilities", "version": long_version,
                     "subject": "Viewer cannot connect", "body": "The Viewer does not connect.",
                     "accept_policy": "1"}, 400, "four numbers")],
        "forum": [("customer", "/forum/new", {"category": "general", "title": "T" * 201,
                   "body": "Where is the Host log kept on Windows?"}, 422, "")],
        "accounts": [("anonymous", "/register", {"email": "long-name@example.test", "password": "p" * 14,
                      "confirm": "p" * 14, "name": "N" * 81}, 400, "Keep the name to 80 characters"),
                     ("admin", "/admin/users", {"email": "agent-x@example.test", "password": "p" * 14,
                      "role": "staff", "name": "N" * 81}, 400, "Keep the name to 80 characters")],
        "releases": [("admin", "/admin/releases", {"product": "Remote Utilities", "version": long_version},
                      400, "at most 6 digits each")],
        "bugs": [("staff", "/staff/bugs", {"title": "B" * 201}, 400, "3 to 200 characters"),
                 ("staff", f"/staff/bugs/{bug}", {"title": "Viewer freezes", "status": "fixed",
                  "fixed_in": long_version}, 400, "four numbers")],
        "canned": [("admin", f"/staff/canned/{world.ids['reply_id']}", {"title": "C" * 121, "body": "Hello"},
                    400, "under 120 characters")],
        "sessions": [("staff", f"/staff/tickets/{t}/sessions", {"agent": str(world.users["staff"].id),
                      "starts_on": "2031-03-18", "starts_time": "10:30", "tool": "other",
                      "other_tool": "T" * 101}, 400, "")],
    }


@pytest.mark.parametrize("family", ["tickets", "forum", "accounts", "releases", "bugs", "canned", "sessions"])
def test_overlong_text_is_refused_with_a_message_before_the_database(app, world, client_for, family):
    from portal.models import RemoteSession
    with app.app_context():
        RemoteSession.update(status="cancelled").execute()  # the ticket may be scheduled again
    for role, url, form, status, message in family_posts(world)[family]:
        client = app.test_client() if role == "anonymous" else client_for(world.users[role])
        response = post(client, url, form)
        assert response.status_code == status, (url, response.status_code)
        assert message in text(response), (url, message)
    with app.app_context():
        assert overlong_values() == []


def test_orders_import_rows_longer_than_their_columns_are_bad_lines(app):
    from portal.services.orders import import_orders
    head = "order_number,delivery_email,license_key,license_type,purchased_on,expires_on\n"
    with app.app_context():
        result = import_orders(head + "R" * 65 + ",a@example.test,KEY-1,PRO,2026-01-10,\n"
                               "RU-2,b@example.test," + "K" * 65 + ",PRO,2026-01-10,\n")
        assert [line for line, _ in result.errors] == [2, 3] and result.added == 0
        assert "longer than 64 characters" in result.errors[0][1]
        assert overlong_values() == []


def test_the_model_refuses_a_value_past_its_column_on_either_database(app):
    with app.app_context():
        with pytest.raises(FieldTooLong, match="slug is limited to 64 characters"):
            Category.create(slug="s" * 65, name="Long slug")
        assert Category.select().where(Category.name == "Long slug").count() == 0
