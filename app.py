"""WSGI entry point: `flask --app app ...` and uWSGI's `module = app:app`."""
import sys

from portal.config import ConfigError
from portal.web import create_app

try:
    app = create_app()
except ConfigError as exc:  # one clear line, no traceback
    sys.exit(f"portal: configuration error: {exc}")

if "uwsgi" in sys.modules:  # loaded once in the master, shared by the forked workers (portal/web/prefork.py)
    import uwsgi

    from portal.web import prefork
    prefork.prepare(app, uwsgi)
