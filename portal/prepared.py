"""Read queries prepared once per process, for the pages that run them on every request.

peewee builds a query's SQL text anew on every execution, walking the whole expression tree, and
works out again for every result which column goes to which model; for the ticket pages that was
about 40 % of the request (issue 16). `rows(key, build, *args)` gives the rows of `build(*args)`:
the first time `key` runs on a kind of database, peewee builds and runs the query as usual; later
runs reuse its SQL text with the new `args` as parameters, and a copy of the first run's row reader
(its cursor wrapper, set up), so rows come back as the same models, tuples or dicts, with every
field conversion, as peewee gives them; portal/row_readers.py makes the fetched rows into models
and tuples as that reader would, at less cost per row.

Where each argument sits among the parameters is learnt by building the query once more with
stand-ins (distinct ints and strings no real value takes). Only `args` may vary between runs: what
else shapes the query (a flag, a list of statuses, an `IN` list's length) belongs in the key.
Arguments other than ints and strings (None, a date, a model) run the query as peewee does.
"""
import itertools

from portal import row_readers
from portal.db import db

_made = {}  # (key, kind of database) -> _Prepared: the SQL text depends on the dialect only
_stand_ins = itertools.count(1)
_FRESH = ("cursor", "count", "index", "initialized", "populated", "row_cache")  # per run, not copied


def _plain(value):
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _all_plain(args):
    for value in args:  # exact ints and strings first: the usual case, without a call each
        if type(value) is not int and type(value) is not str and not _plain(value):
            return False
    return True


def _stand_in(value):
    mark = next(_stand_ins)
    return -(7_300_000_000_000 + mark) if isinstance(value, int) else f"\x00prepared-{mark}\x00"


class _Prepared:
    def __init__(self, key, build, args):
        marks = [_stand_in(value) for value in args]
        # the query built with stand-ins has the shape of every run (its columns, models, joins),
        # which is all a row reader takes from it: runs that find no rows, which set no reader
        # up, use its reader instead of building the query again each time
        self.shape = build(*marks)
        self.sql, params = self.shape.sql()
        where = {mark: n for n, mark in enumerate(marks)}
        self.plan = [("arg", where[p]) if _plain(p) and p in where else ("const", p) for p in params]
        if sorted(n for kind, n in self.plan if kind == "arg") != list(range(len(args))):
            raise ValueError(f"prepared {key!r}: each argument must appear exactly once among the parameters")
        self.reader = None  # (wrapper class, its set-up state) once a run has read a row
        self.read = None  # the fetched rows as that reader makes them (row_readers), for its kinds

    def params(self, args):
        return [args[v] if kind == "arg" else v for kind, v in self.plan]

    def execute(self, args):
        # db.obj: the bound database itself (an attribute read through the proxy costs a failed
        # lookup and its __getattr__, about a tenth of a small query's Python work)
        cursor = db.obj.execute_sql(self.sql, self.params(args))
        if self.reader is None:  # the first rows: peewee sets its reader up for this query
            wrapper = self.shape._get_cursor_wrapper(cursor)
            if cursor.description:  # set up from the columns, so that a run finding no rows sets it up too
                wrapper.initialize()
                wrapper.initialized = True
            found = list(wrapper)
            if wrapper.initialized:
                self.reader = (type(wrapper), {k: v for k, v in vars(wrapper).items() if k not in _FRESH})
                self.read = row_readers.reader_for(wrapper)
            return found
        if self.read is not None:
            found = cursor.fetchall()
            cursor.close()
            return self.read(found)
        kind, state = self.reader
        wrapper = kind.__new__(kind)
        wrapper.__dict__.update(state)
        wrapper.cursor, wrapper.count, wrapper.index, wrapper.row_cache = cursor, 0, 0, []
        wrapper.initialized, wrapper.populated = True, False
        return list(wrapper)


def rows(key, build, *args):
    """The rows of the query `build(*args)` as a list, prepared once per process and kind of
    database under `key`."""
    if not _all_plain(args):  # None, a date, a model: as peewee runs it
        return list(build(*args))
    entry = _made.get((key, type(db.obj)))
    if entry is None:
        entry = _made[(key, type(db.obj))] = _Prepared(key, build, args)
    return entry.execute(args)


def raw(key, build, *args):
    """The rows of `build(*args)` as the database driver gives them: tuples of the selected
    columns without peewee's conversions (SQLite's times stay text, its booleans 0 and 1), for a
    reader that converts only what it uses. Prepared as `rows` is."""
    if not _all_plain(args):
        return db.execute_sql(*build(*args).sql()).fetchall()
    entry = _made.get((key, type(db.obj)))
    if entry is None:
        entry = _made[(key, type(db.obj))] = _Prepared(key, build, args)
    return db.obj.execute_sql(entry.sql, entry.params(args)).fetchall()


def first(key, build, *args):
    """The first row of `rows` or None (the query should carry its own LIMIT 1)."""
    found = rows(key, build, *args)
    return found[0] if found else None
