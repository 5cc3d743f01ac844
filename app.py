"""WSGI entry point: `flask --app app ...` and uWSGI's `module = app:app`."""
import sys

from portal.config import ConfigError
from portal.web import create_app

try:
    app = create_app()
except ConfigError as exc:  # one clear line, no traceback
    sys.exit(f"portal: configuration error: {exc}")

if "uwsgi" in sys.modules:  # each uWSGI worker loads the language model (policy 4.2) before its first
    try:                    # request, not while a customer's ticket waits (seconds under load)
        app.extensions["runtime"].policy.detect_language("Warming up the language model.")
    except ImportError:
        pass
