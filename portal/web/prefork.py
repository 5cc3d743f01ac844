"""The app loaded once in the uWSGI master and shared by the forked workers (wsgi.ini: lazy-apps = false).

Every worker used to import the app and load the language model itself (about 150 MiB each, most
of it the same in all). Loaded in the master, those pages are shared copy-on-write; what a fork
must not share is made safe here:
- no database connection is open at the fork (closed in the master; a worker opens its own);
- no Redis connection: none is made while loading (the presence store is made at first use in a
  worker), and redis-py's pools reconnect when they find themselves in another process;
- the `random` module is reseeded in each worker (uWSGI forks without Python's at-fork hooks);
- flask-limiter's memory store (development) gets fresh locks and timer in each worker;
- the templates are compiled before the fork, once, rather than in every worker;
- three anonymous requests are rehearsed in the master (then its connection is closed);
- gc.freeze() before the fork: the collector never walks the objects loaded so far, so it does not
  write to their pages and unshare them (reference counts still do, for what a request touches).
Under `lazy-apps = true` (or outside uWSGI) nothing here runs but the warm-up.
"""
import gc
import random
import signal
import threading
from collections import defaultdict

from portal import db as database


def prepare(app, uwsgi):
    """Called by app.py under uWSGI after create_app()."""
    warm_up(app)
    if uwsgi.worker_id() != 0:  # lazy-apps: this is a worker loading its own app
        return
    _compile_templates(app)
    _rehearse(app)
    _close_database()
    _fixed_malloc_thresholds()
    import uwsgidecorators
    uwsgidecorators.postfork(lambda: after_fork(app))
    gc.collect()
    gc.freeze()
    # Python's SIGINT handler raises KeyboardInterrupt; a worker that uWSGI's shutdown signals
    # while it still runs its postfork hook (before uWSGI's own handlers are in place) would catch
    # it there and hang until the worker mercy ends (60 s). The default action ends it at once.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def warm_up(app):
    """Load the language model (policy 4.2) before the first request, not while a ticket waits."""
    try:
        app.extensions["runtime"].policy.detect_language("Warming up the language model.")
    except ImportError:
        pass


def _compile_templates(app):
    """Every template compiled once here, in the shared memory, rather than in each worker."""
    env = app.jinja_env
    for name in env.list_templates():
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - a template that fails to compile fails where it is used
            app.logger.warning("template %s did not compile at start", name)


def _rehearse(app):
    """Three anonymous requests through the whole stack (routing, session, CSRF, a template, the
    database connection): Python 3.11 rewrites the bytecode it runs (specialising), and code run
    first here is rewritten once in the shared copy rather than in every worker's. They are no
    one's requests: no access line, and the master's metric samples are removed afterwards."""
    import logging
    import os

    from portal.web import logs, metrics
    level = logs.access.level
    logs.access.setLevel(logging.WARNING)
    try:
        with app.test_client() as client:
            for path in ("/ping", "/login", "/"):
                client.get(path)
    except Exception:  # noqa: BLE001 - a rehearsal only; the first real request says what is wrong
        app.logger.warning("the rehearsal requests before the fork failed", exc_info=True)
    finally:
        logs.access.setLevel(level)
        metrics.forget_samples_of(os.getpid())


def _fixed_malloc_thresholds():
    """glibc raises its mmap threshold each time a large block is freed, after which large
    blocks come from the heap and, freed, stay there: a worker's heap keeps the high-water mark
    of its largest page. Fixed thresholds hand them back. Not glibc's starting 128 KiB: a queue
    page's text (70 KB of UTF-8, twice that as a Python string) and its copies would then be an
    mmap and 50 page faults each, on every load; up to 1 MiB comes from the heap, and at most
    4 MiB of free heap is kept. Linux/glibc only."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 4 * 1024 * 1024)  # M_TRIM_THRESHOLD
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _close_database():
    database.close_connection()
    close_all = getattr(database.db.obj, "close_all", None)
    if close_all:  # the PostgreSQL pool: nothing pooled may cross the fork
        close_all()


def after_fork(app):
    """In each new worker (also after a harakiri or max-requests respawn)."""
    random.seed()  # os.urandom: workers must not share one sequence
    state = getattr(database.db.obj, "_state", None)
    if state is not None and not database.db.is_closed():
        state.reset()  # forget, never close, a connection the master held: it is the master's
    from portal.web.extensions import limiter
    storage = getattr(limiter, "_storage", None)
    if hasattr(storage, "timer") and hasattr(storage, "locks"):  # limits' MemoryStorage
        storage.locks = defaultdict(threading.RLock)
        storage.timer = threading.Timer(0, lambda: None)  # not started: the next count starts a real one
