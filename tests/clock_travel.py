"""Imported by the uWSGI servers tests start (UWSGI_IMPORT, set by tests/conftest.py with --clock).

A server in a subprocess is not moved by the test session's time-machine, yet it judges rows
the tests wrote (license dates, due times) against its own "now". So it travels too, by the
same offset from the real clock, and both clocks tick together.
"""
import os
import time

OFFSET = os.environ.get("PORTAL_TEST_CLOCK_OFFSET")

if OFFSET:
    import time_machine

    time_machine.travel(time.time() + float(OFFSET), tick=True).start()
    # time-machine starts ticking at the first reading, not at start(): read now, or this
    # worker lags by its start-up time and rejects tokens another worker signed "in the future"
    time.time()
