"""The code is laid out by domain, not by the piece of work that delivered it."""


def test_one_blueprint_per_domain(app):
    assert set(app.blueprints) == {"main", "auth", "account", "admin", "tickets", "partner", "staff", "forum",
                                   "ops"}  # ops: the probes and metrics for the machines around the portal


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


def test_services_import_nothing_from_flask():
    """Use cases run without Flask: settings, the policy and mail reach them through
    portal.services.runtime, refusals are portal.services.errors (404 included), uploads come
    as attachments.Incoming (never werkzeug's FileStorage)."""
    import ast
    import pathlib
    folder = pathlib.Path(__file__).resolve().parent.parent / "portal" / "services"
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                assert top not in {"flask", "flask_login", "flask_wtf", "flask_limiter", "htmx_flask", "werkzeug"}, (
                    path.name, name)
                assert name != "portal.mail" and not name.startswith("portal.web"), (path.name, name)


def test_a_use_case_runs_without_flask(tmp_path):
    """A service called with a runtime and no app: the policy and settings come from it."""
    import subprocess
    import sys
    code = (
        "import sys\n"
        "from portal.policy import load_policy\n"
        "from portal.services import runtime, get_policy, setting, tickets\n"
        "rt = runtime.Runtime(policy=load_policy(), settings={'BASE_URL': 'https://x.test'})\n"
        "with runtime.using(rt):\n"
        "    assert get_policy() is rt.policy and setting('BASE_URL') == 'https://x.test'\n"
        "    assert tickets.judge_version is not None\n"
        "assert 'flask' not in sys.modules, sorted(m for m in sys.modules if m.startswith('flask'))\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_service_error_is_one_family():
    """Every refusal a use case raises is a ServiceError with `errors` and `status`."""
    import importlib
    import pathlib
    from portal.services.errors import ServiceError
    folder = pathlib.Path(__file__).resolve().parent.parent / "portal" / "services"
    found = []
    for path in folder.glob("*.py"):
        module = importlib.import_module(f"portal.services.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == module.__name__:
                found.append(name)
                assert issubclass(value, ServiceError), name
    assert {"ServiceError", "FieldError", "Conflict", "NotFound"} <= set(found), found  # the scan saw the family


def test_an_unhandled_refusal_answers_with_its_status(app, client):
    from portal.services.errors import Conflict, NotFound

    @app.get("/_test/conflict")
    def _conflict():
        raise Conflict({"form": "Someone else replied first."})

    @app.get("/_test/missing")
    def _missing():
        raise NotFound("That ticket")
    conflict, missing = client.get("/_test/conflict"), client.get("/_test/missing")
    assert conflict.status_code == 409 and b"Someone else replied first." in conflict.data
    assert missing.status_code == 404
