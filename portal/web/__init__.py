"""The application factory: config, database, extensions, blueprints, error pages."""
import logging
import threading

from flask import Flask, appcontext_popped, appcontext_pushed, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError

from portal import db as database
from portal.config import ROOT, load_config
from portal.mail import make_outbox
from portal.services.errors import NotFound, ServiceError
from portal.services.runtime import Runtime, activate, deactivate
from portal.web import converters, csrf_tokens, fragments, logs, proxy, security, templating
from portal.web.extensions import csrf, htmx, limiter, login_manager

BLUEPRINTS = [
    "portal.web.main",
    "portal.web.auth",
    "portal.web.account",
    "portal.web.admin",
    "portal.web.tickets", "portal.web.partner",
    "portal.web.staff",
    "portal.web.forum",
    "portal.web.ops",
]


def create_app(overrides=None, env=None):
    """Build the portal: defaults, then the environment, then `overrides` (tests)."""
    app = Flask("portal", template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.update(load_config(env))
    app.config.update(overrides or {})
    policy = _load_policy(app)
    database.bind(app.config["DATABASE_URL"], app.config["DB_POOL_SIZE"])
    app.extensions["outbox"] = make_outbox(app.config)
    if app.config["MAIL_BACKEND"] == "memory":  # tests: deliver at once (the sender does elsewhere)
        from portal.mail import memory_flush
        app.extensions["outbox"].sent.flush = memory_flush(app)
    _init_runtime(app, policy)
    logs.init_app(app)  # JSON logs, request ids, request metrics (docs/operations.md, Logs and metrics)
    _init_extensions(app)
    converters.register(app)
    _register_blueprints(app)
    _register_filters(app)
    templating.init_app(app)  # compiled templates kept in instance/jinja-cache
    fragments.init_app(app)  # page pieces rendered once per worker for what they show
    _register_hooks(app)
    _register_errors(app)
    from portal import cli
    cli.register(app)
    proxy.install(app)  # forwarded headers only from PORTAL_TRUSTED_PROXIES (docs/deployment.md)
    logging.getLogger("peewee").setLevel(logging.WARNING)  # never log SQL parameters
    return app


def _load_policy(app):
    from portal.policy import PolicyError, load_policy
    from portal.config import ConfigError
    try:
        return load_policy(app.config["POLICY_FILE"])
    except PolicyError as exc:
        raise ConfigError(f"policy file: {exc}") from None


def _init_runtime(app, policy):
    """The app's Runtime (app.extensions["runtime"]) is the one place its policy lives: services,
    templates and commands read `runtime.policy` (a test swaps the policy by setting it there).
    Services run against it whenever one of the app's contexts is active."""
    from portal.mail import mail_noticed, send_template, text_to_html
    app.extensions["runtime"] = runtime = Runtime(policy, app.config, send_template, text_to_html, mail_noticed)
    stacks = threading.local()  # app contexts nest per thread; each pop restores what was before

    def pushed(sender, **_):
        stacks.__dict__.setdefault("tokens", []).append(activate(runtime))

    def popped(sender, **_):
        tokens = stacks.__dict__.get("tokens")
        if tokens:
            deactivate(tokens.pop())

    appcontext_pushed.connect(pushed, app, weak=False)
    appcontext_popped.connect(popped, app, weak=False)


def _init_extensions(app):
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    # Off: "basic" only marks a session not fresh (nothing here asks), and doing so writes the
    # cookie of an anonymous request, such as the favicon's the browser sends beside the login
    # form; that reply, landing after the login's, put back the anonymous session. Sessions end
    # by the account's session version instead (portal/web/users.py).
    login_manager.session_protection = None

    from portal.web.users import load_user
    login_manager.user_loader(load_user)  # one query per request, its SQL built once


def _register_blueprints(app):
    import importlib
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)


def _register_filters(app):
    """Template filters every page shares: times in the policy's zone (policy 1.5), calendar dates
    and durations, each written one way (portal/policy/wording.py)."""
    from portal.policy import date_text, format_business_duration, format_hours
    runtime = app.extensions["runtime"]

    @app.template_filter("pt_time")
    def pt_time(moment):
        """'Tue 18 Mar 2031 09:30 PT': the one way pages write a date and time."""
        return runtime.policy.time_text(moment)

    @app.template_filter("my_time")
    def my_time(moment):
        """The moment in the reader's own zone (account setting), Pacific beside it when different."""
        return runtime.policy.time_text_for(moment, getattr(current_user, "time_zone", None))

    app.add_template_filter(format_hours, "business_hours")  # '4 business hours', never '4.0'
    app.add_template_filter(format_business_duration, "duration")  # '1 h 30 min'
    app.add_template_filter(date_text, "pt_date")  # 'Tue 18 Mar 2031'
    from portal.web.render import url_head, url_of, url_parts
    app.add_template_global(url_parts)  # a list's links: one url_for per page, not per row
    app.add_template_global(url_head)
    app.add_template_global(url_of)


def _register_hooks(app):
    @app.before_request
    def before():
        security.reject_cross_origin()
        security.reject_nul_bytes()
        if request.endpoint != "static" and request.endpoint not in ("ops.healthz", "ops.readyz"):
            database.open_connection()  # the probes open none: /healthz needs none, /readyz its own

    csrf_tokens.init_app(app)  # a session's signed CSRF token reused for a minute
    app.teardown_request(database.end_request)  # SQLite keeps its connection (docs/benchmarks.md)
    app.after_request(security.set_security_headers)
    flush = getattr(getattr(app.extensions["outbox"], "sent", None), "flush", None)
    if flush is not None:
        @app.after_request
        def deliver_memory_mail(response):
            if g.get("mail_queued"):  # no extra query on pages that queued nothing
                flush()
            return response

    from flask import has_request_context
    from portal.policy import LEVELS
    from portal.services.access import account_facts
    from portal.web.render import page_links
    runtime = app.extensions["runtime"]

    @app.context_processor
    def globals_for_templates():
        policy = runtime.policy
        user = current_user._get_current_object() if has_request_context() else None
        may_see_forum = bool(policy.may_see_forum(account_facts(user)))
        # all the frame's header depends on (base.html keeps its HTML per worker for it)
        frame_key = (bool(user and user.is_authenticated), getattr(user, "role", None), getattr(user, "email", None),
                     may_see_forum)
        return {"policy": policy, "levels": LEVELS, "may_see_forum": may_see_forum, "frame_key": frame_key,
                "nav_endpoints": app.view_functions, "links": page_links() if has_request_context() else {}}


def _page_user(database_down=False):
    """The user an error page shows; anonymous when the database cannot tell (no query while it is down)."""
    if "_login_user" in g:  # already loaded by this request
        return
    try:
        if not database_down:
            login_manager._load_user()
            return
    except (OperationalError, InterfaceError):
        database.close_connection()
    g._login_user = login_manager.anonymous_user()


def _error_page(status, title, message):
    if request.path.startswith(("/healthz", "/readyz")) or request.accept_mimetypes.best == "application/json":
        return jsonify(error=title), status
    return render_template("error.html", status=status, title=title, message=message), status


def _register_errors(app):
    pages = {400: ("Bad request", "The request could not be understood."),
             403: ("Forbidden", "That action is not allowed from here."),
             404: ("Not found", "There is nothing at this address, or you may not see it."),
             405: ("Method not allowed", "That address does not take this kind of request."),
             413: ("Too large", "The upload is larger than allowed."),
             429: ("Too many attempts", "Please wait a minute and try again.")}
    for status, (title, message) in pages.items():
        app.register_error_handler(status, lambda e, s=status, t=title, m=message: _error_page(s, t, m))

    @app.errorhandler(database.FieldTooLong)
    def too_long(exc):
        app.logger.warning("refused before the database: %s", exc)
        return _error_page(400, "Too long", "A value is longer than that field allows. Nothing was saved.")

    @app.errorhandler(NotFound)
    def not_found(exc):  # a service's "no such object, or not for you" (policy: 404, never 403)
        return _error_page(404, *pages[404])

    @app.errorhandler(ServiceError)
    def refused(exc):  # a refusal no view turned into form errors: its message and status
        titles = {403: "Forbidden", 409: "Changed meanwhile", 422: "Not accepted"}
        return _error_page(exc.status, titles.get(exc.status, "Not accepted"), exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _error_page(400, "Form expired or invalid",
                           "The form's security token was missing or wrong. Reload the page and try again.")

    from redis.exceptions import ConnectionError as RedisDown, TimeoutError as RedisSlow

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(RedisDown)  # the rate-limit store: fail closed, a limited form is refused, never
    @app.errorhandler(RedisSlow)  # let through uncounted
    def unavailable(exc):
        database_down = isinstance(exc, (OperationalError, InterfaceError))
        app.logger.error("%s unavailable: %s", "database" if database_down else "rate-limit store",
                         exc.__class__.__name__)
        if database_down:
            database.close_connection()
        _page_user(database_down)  # with the database down, the page must not ask it who is logged in
        return _error_page(503, "Temporarily unavailable",
                           "The service is briefly unavailable. Nothing was saved; please try again.")

    @app.errorhandler(500)
    def server_error(exc):
        _page_user()
        return _error_page(500, "Something went wrong", "The error was logged. Please try again.")
