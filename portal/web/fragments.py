"""Pieces of pages rendered once per worker for what they show: a cache keyed by content.

A fragment's HTML is a function of its key alone, and the key is the data it shows (a queue row's
columns and its clock text, a form's values and choices), never a version number someone must
remember to raise: changed data makes a new key, and the old entry ages out. What differs per
request inside a fragment, the CSRF token, is a *slot*: the body is rendered with a marker in its
place and every use fills it. A marker begins with "<", which escaped data cannot contain and nh3
strips from sanitised HTML, so no user text can turn into a slot.

In a template (the body sees `slot.<name>` for each slot given):

    {% call(slot) fragment("queue-row", row.cache_key, csrf=csrf_input) %}
      ... {{ slot.csrf }} ...
    {% endcall %}

Each worker keeps at most FRAGMENT_CACHE_ENTRIES pieces (0: no cache, every call renders) and
FRAGMENT_CACHE_MB of their text; the oldest entry goes first. In debug mode nothing is kept (templates change under it).
"""
import re

from jinja2 import pass_environment
from markupsafe import Markup, escape


class Slots:
    """The markers a fragment's body writes where per-request values go."""

    def __init__(self, names):
        self.markers = {name: Markup(f"<slot-{name}-{id(self):x}>") for name in names}
        self.pattern = re.compile("<slot-(%s)-%x>" % ("|".join(map(re.escape, self.markers)) or "(?!)", id(self)))

    def __getattr__(self, name):
        try:
            return self.__dict__["markers"][name]
        except KeyError:
            raise AttributeError(name) from None


class _Filled:
    """The slots of a body drawn afresh: each is its value, escaped unless Markup."""

    def __init__(self, fills):
        self.__dict__.update({name: escape(value) for name, value in fills.items()})


class FragmentCache:
    """Rendered fragments of one worker, first in first out: {key: pieces}, the HTML split at its
    slots (literal, slot name, literal, ...), so a use is one join however long the fragment. At
    most `entries` pieces and `max_bytes` of their text (counted in characters) are kept: a long
    conversation is one large piece, and a worker's memory must not grow with the tickets opened.
    The keys are not counted: they hold the data a piece shows, so the memory is about twice the
    bound (and at most `entries` pieces whatever their size)."""

    def __init__(self, entries, max_bytes=8 * 1024 * 1024):
        self.entries = max(0, int(entries))
        self.max_bytes = max(0, int(max_bytes))
        self.kept = {}
        self.size = 0
        self.hits = self.misses = 0

    def get(self, key, render, fills):
        found = self.kept.get(key) if self.entries else None
        if found is None:
            self.misses += 1
            slots = Slots(fills)
            pieces = tuple(slots.pattern.split(str(render(slots))))  # literal, name, literal, ...
            self._keep(key, pieces)
        else:
            self.hits += 1
            pieces = found[0]
        if len(pieces) == 1:
            return Markup(pieces[0])
        values = {name: str(escape(value)) for name, value in fills.items()}
        out = list(pieces)
        for i in range(1, len(out), 2):
            out[i] = values[out[i]]
        return Markup("".join(out))

    def _keep(self, key, pieces):
        size = sum(len(piece) for piece in pieces)
        if not self.entries or size > self.max_bytes // 4:  # one piece never takes a quarter
            return
        while self.kept and (len(self.kept) >= self.entries or self.size + size > self.max_bytes):
            try:
                oldest = next(iter(self.kept))
                self.size -= self.kept.pop(oldest)[1]
            except (KeyError, StopIteration, RuntimeError):
                break
        previous = self.kept.get(key)  # two threads drew the same piece: count it once
        if previous is not None:
            self.size -= previous[1]
        self.kept[key] = (pieces, size)
        self.size += size

    def clear(self):
        self.kept.clear()
        self.size = 0


def cache_for(app):
    cache = app.extensions.get("fragments")
    if cache is None:
        entries = 0 if app.debug else app.config.get("FRAGMENT_CACHE_ENTRIES", 2000)
        megabytes = app.config.get("FRAGMENT_CACHE_MB", 8)
        cache = app.extensions["fragments"] = FragmentCache(entries, megabytes * 1024 * 1024)
    return cache


@pass_environment
def fragment(environment, name, key, caller, **fills):
    """The template global: the body's HTML for (name, key), rendered on the first use only; each
    keyword is a slot filled with its value (escaped unless Markup) on every use. The key holds
    everything the body reads but the slots (links included: they carry the script root). A key of
    None draws the body afresh with the values in the slots' place (a form with its errors)."""
    if key is None:
        return caller(_Filled(fills))
    return cache_for(environment.app).get((name, key), caller, fills)


def init_app(app):
    app.add_template_global(fragment)
