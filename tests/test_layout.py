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


def test_mail_bodies_are_templates():
    """Every mail is written by a template in templates/mail/, never by an f-string in code."""
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parent.parent
    callers = [str(p.relative_to(root)) for p in (root / "portal").rglob("*.py")
               if p.name != "mail.py" and re.search(r"\bsend_mail\(", p.read_text(encoding="utf-8"))]
    assert callers == []
    assert {p.stem for p in (root / "templates" / "mail").glob("*.txt")} >= {
        "verify", "register_taken", "reset", "staff_reply"}
