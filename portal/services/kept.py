"""Reference lists a page shows, kept a few seconds per worker (issue 16).

The staff ticket page offers lists that change rarely and that nobody would miss for seconds: the
canned reply titles, the staff to assign, the open bugs to link and a product's release versions
(for the version verdict). Reading them was a query each on every load; `kept(name, load, *args)`
keeps `load(*args)` for SECONDS per worker (the app's runtime state); the queue keeps its depth
and partner list the same way. Only the pages draw kept lists: every POST validates against fresh data (its
forms read the lists themselves, and the services check again), so a change is at worst drawn a
few seconds late, never accepted or refused on old data.

Values are shared by the requests of a worker: `load` gives immutable data (tuples).
"""
import time

from portal.services import runtime

SECONDS = 5  # how long a worker keeps a reference list
MAX_KEPT = 256  # (name, arguments) pairs per worker: a product's versions are one each
_seconds = time.monotonic  # the lists' clock (a test moves it on)


def kept(name, load, *args):
    """`load(*args)`, read at most once per SECONDS per worker for (name, args)."""
    lists = runtime.current().state.setdefault("kept lists", {})
    key, now = (name, args), _seconds()
    found = lists.get(key)
    if found is not None and found[0] > now:
        return found[1]
    value = load(*args)
    if len(lists) >= MAX_KEPT:
        lists.clear()
    lists[key] = (now + SECONDS, value)
    return value
