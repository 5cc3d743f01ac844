"""The code is laid out by domain, not by the piece of work that delivered it."""


def test_one_blueprint_per_domain(app):
    assert set(app.blueprints) == {"main", "auth", "account", "admin", "tickets", "partner", "staff", "forum"}


def test_staff_and_admin_pages_answer_under_their_one_blueprint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"staff.queue", "staff.bug_list", "staff.overview", "staff.session_action"} <= endpoints
    assert {"admin.users", "admin.orders_page", "admin.releases", "tickets.session_ics"} <= endpoints
