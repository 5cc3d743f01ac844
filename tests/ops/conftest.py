"""Fixtures for logs, metrics and probes: the app writes JSON logs (to stderr, read back with
capsys) and serves /metrics to TOKEN."""
import json

import pytest

from tests.conftest import serving_app

TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(db_url, tmp_path):
    """The usual test app, with JSON logs and a metrics token."""
    yield from serving_app(db_url, tmp_path, PORTAL_LOG_FORMAT="json", PORTAL_METRICS_TOKEN=TOKEN)


@pytest.fixture
def log_lines(capsys):
    """log_lines() → every line written to stderr since the last call, each parsed as JSON
    (a line that is not JSON fails the test)."""
    def _read():
        text = capsys.readouterr().err
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return _read


def access_lines(lines):
    return [line for line in lines if line["logger"] == "portal.access"]
