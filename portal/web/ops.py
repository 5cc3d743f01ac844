"""Probes and metrics for the machines around the portal: /healthz (alive), /readyz (may take
traffic: database, Redis, outbox), /metrics (Prometheus, to a bearer token only)."""
import hmac

from flask import Blueprint, abort, current_app, jsonify, request

from portal import db as database
from portal.services import health
from portal.web.metrics import CONTENT_TYPE, scrape

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """Alive: the process answers. No database or Redis call, so it is cheap and says nothing
    about them (that is /readyz)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Ready for traffic: the database answers SELECT 1, Redis answers PING (when configured), and
    no due mail has waited longer than PORTAL_READY_OUTBOX_MAX_AGE. 200 with each check, or 503
    naming what failed."""
    checks, failed = {}, []
    try:
        health.ping_database()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        database.close_connection()
        checks["database"], failed = f"down: {exc.__class__.__name__}", ["database"]
    url = current_app.config["REDIS_URL"]
    if url:
        try:
            health.ping_redis(url)
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"down: {exc.__class__.__name__}"
            failed.append("redis")
    if "database" in failed:
        checks["outbox"] = "unknown: database down"
    else:
        limit = current_app.config["READY_OUTBOX_MAX_AGE"]
        try:
            waited = health.outbox_state().oldest_due_seconds
        except Exception as exc:  # noqa: BLE001
            database.close_connection()
            checks["outbox"], waited = f"unknown: {exc.__class__.__name__}", None
            failed.append("outbox")
        if waited is not None:
            checks["outbox"] = "ok" if waited <= limit else f"oldest due mail waited {int(waited)} s (max {limit} s)"
            if waited > limit:
                failed.append("outbox")
    body = {"status": "not ready" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return jsonify(body), 503 if failed else 200


def _authorized():
    token = current_app.config["METRICS_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@bp.route("/metrics")
def metrics():
    """Prometheus exposition, only with `Authorization: Bearer $PORTAL_METRICS_TOKEN`; 404 for
    anyone else, as for an address that does not exist (and always while no token is set)."""
    if not _authorized():
        abort(404)
    return scrape(), 200, {"Content-Type": CONTENT_TYPE}
