"""The code is laid out by domain, not by the piece of work that delivered it."""


def test_one_blueprint_per_domain(app):
    assert set(app.blueprints) == {"main", "auth", "account", "admin", "tickets", "partner", "staff", "forum"}


def test_staff_and_admin_pages_answer_under_their_one_blueprint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"staff.queue", "staff.bug_list", "staff.overview", "staff.session_action"} <= endpoints
    assert {"admin.users", "admin.orders_page", "admin.releases", "tickets.session_ics"} <= endpoints


def test_templates_get_their_data_from_the_view_not_from_globals_that_query(app):
    """Template globals may format or decide, never load: the staff panels and the customer's
    scheduled session are context the views pass in."""
    for name in ("staff_ticket_panels", "ticket_scheduled_session"):
        assert name not in app.jinja_env.globals
