"""The Jinja environment's compiled-template cache.

Jinja keeps each compiled template in memory per app (one per uWSGI worker, and in tests one per
app); compiling from source is the slow part of a template's first render. The bytecode of every
template is kept in `instance/jinja-cache/` (the checksum of its source and the Python version
are part of each entry, so an edited template or a new interpreter compiles afresh), so a
new worker, or a test's new app, loads it instead of compiling. Written atomically by Jinja
(a temporary file renamed into place), so workers and parallel test runs can share the folder.
"""
from pathlib import Path

from jinja2 import FileSystemBytecodeCache


def init_app(app):
    folder = Path(app.instance_path) / "jinja-cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a read-only instance folder: compile per worker as before
        app.logger.warning("no Jinja bytecode cache (%s): templates compile in each worker", exc)
        return
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))
