"""Structured logs: one JSON object a line on stderr (uWSGI collects it), an access line per
request, and every line logged inside a request carries its request id and user id.

Never logged: a real path (tokens live in /reset/<token>, /verify/<token>, unsubscribe links:
the route's rule is logged instead), a query string, a form field, a header, a cookie, an email
address. docs/operations.md, *Logs and metrics*.
"""
import json
import logging
import os
import re
import sys
import time

from flask import g, has_request_context, request

from portal.web import metrics

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")  # what we take from nginx's X-Request-ID
LONG_SEGMENT = 16  # a segment this long in a path no route matched could be a token: not logged
FIELDS = ("request_id", "user_id", "method", "path", "endpoint", "status", "duration_ms")
access = logging.getLogger("portal.access")
_json_handler = None  # the root handler when it writes JSON: the access line's short way (see _finish)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (tests swap it; uWSGI keeps fd 2)."""
    portal_handler = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _):
        pass


class RequestFields(logging.Filter):
    """Puts the request id and the logged-in user's id on every record made inside a request."""

    def filter(self, record):
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
            record.user_id = _user_id()
        return True


_second = (None, "")  # the last whole second and its text: strftime once a second, not once a line


def utc_time(moment):
    """'2026-12-02T10:04:42.125Z'."""
    global _second
    whole, cached = int(moment), _second
    if cached[0] != whole:  # one tuple swapped whole: threads never see half of an update
        cached = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{cached[1]}.{int((moment - whole) * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": utc_time(record.created), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        fields = record.__dict__
        for name in FIELDS:
            value = fields.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [request {rid}]" if rid and record.name != access.name else line


def configure(log_format):
    """One handler on the root logger (replacing an earlier app's), INFO for the portal's loggers."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "portal_handler", False)]:
        root.removeHandler(handler)
    global _json_handler
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    _json_handler = handler if log_format == "json" else None
    handler.addFilter(RequestFields())
    root.addHandler(handler)
    from flask.logging import default_handler
    portal = logging.getLogger("portal")  # the app's own logger (Flask's app.logger)
    portal.removeHandler(default_handler)  # ours is on the root: one line, not two
    if portal.level == logging.NOTSET or portal.level > logging.INFO:
        portal.setLevel(logging.INFO)


def init_app(app):
    """Logging, request ids, the access line and the request metrics for one app."""
    configure(app.config["LOG_FORMAT"])
    # first of the app's hooks: the clock starts before the others run, and the access line is
    # written after every other after-request hook has had its say about the response
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.log_exception = lambda exc_info: app.logger.error(  # Flask's own logs request.path: a token
        "unhandled exception on %s %s", request.method, route(), exc_info=exc_info)
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)  # set by hand without wsgi.ini: every sample would fail
        metrics.forget_on_exit()


def _start():
    here = g._get_current_object()  # one proxy lookup, not one per attribute (this runs on every request)
    here.request_started = time.perf_counter()
    incoming = request.environ.get("HTTP_X_REQUEST_ID")
    here.request_id = incoming if incoming and SANE_REQUEST_ID.match(incoming) else os.urandom(16).hex()


def _finish(response):
    here = g._get_current_object()
    started = here.get("request_started")
    if started is None:  # the request failed before our first hook ran
        return response
    seconds = time.perf_counter() - started
    response.headers["X-Request-ID"] = here.request_id
    req = request._get_current_object()
    status, method, endpoint = response.status_code, req.method, req.endpoint
    metrics.observe(endpoint, method, status, seconds)
    if access.isEnabledFor(logging.INFO):
        path, ms = route(req), round(seconds * 1000, 2)
        fields = {"method": method, "path": path, "endpoint": endpoint, "status": status, "duration_ms": ms,
                  "request_id": here.request_id, "user_id": _id_of(here.get("_login_user"))}
        message = f"{method} {path} {status} {ms:.1f} ms"
        if _json_handler is not None and not access.handlers:
            _write_json(message, fields)
        else:
            access.info(message, extra=fields)
    return response


def _write_json(message, fields):
    """The access line as JsonFormatter writes it, without building a LogRecord: a request pays
    for this line, and the logging machinery (record, filters, hierarchy) cost more than the rest
    of the request's bookkeeping together (docs/operations.md, Logs and metrics)."""
    entry = {"time": utc_time(time.time()), "level": "INFO", "logger": access.name, "message": message}
    entry.update((name, value) for name, value in fields.items() if value is not None)
    line = json.dumps(entry, default=str) + "\n"
    with _json_handler.lock:
        try:
            sys.stderr.write(line)
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr gone: as logging does, a log line never fails a request
            pass


def route(req=None):
    """The request's route rule (/reset/<token>), never the real path; a path no route matched
    is logged with its long segments (a token, perhaps) replaced."""
    req = req or request
    rule = req.url_rule
    if rule is not None:
        return rule.rule
    return "/".join(s if len(s) < LONG_SEGMENT else "<redacted>" for s in req.path.split("/"))


def _user_id():
    """The id of the user this request loaded, if any: never a query of its own (flask-login
    keeps the loaded user in g), never the email."""
    return _id_of(g.get("_login_user"))


def _id_of(user):
    return user.id if user is not None and user.is_authenticated else None
