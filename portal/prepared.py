"""Read queries whose SQL text is made once per process, for the pages every request runs them on.

peewee builds a query's SQL text anew on every execution, walking the whole expression tree; for
the ticket pages that was about 40 % of the request (issue 16). `run(key, query, *args)` executes
`query` (built as usual, with `args` as its only variable values) with the SQL text made the first
time `key` was run on this database; rows come back through the query's own cursor wrapper, so
models, tuples, dicts and every field conversion are as peewee gives them.

The first run builds the query once more with stand-ins for `args` (distinct ints and strings no
real value takes) to learn where each argument sits among the parameters; a query whose shape
depends on the values (an `IN` list of varying length, an optional clause) needs a key per shape.
Arguments other than ints and strings (None, a date, a model) run the query as peewee does.
"""
import itertools

from portal.db import db

_made = {}  # (key, kind of database) -> (sql, [("arg", i) | ("const", value)]): the text depends on the dialect only
_stand_ins = itertools.count(1)


def _plain(value):
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _stand_in(value):
    mark = next(_stand_ins)
    return -(7_300_000_000_000 + mark) if isinstance(value, int) else f"\x00prepared-{mark}\x00"


def _make(key, build, args):
    marks = [_stand_in(value) for value in args]
    sql, params = build(*marks).sql()
    where = {mark: n for n, mark in enumerate(marks)}
    plan = [("arg", where[p]) if _plain(p) and p in where else ("const", p) for p in params]
    if sorted(n for kind, n in plan if kind == "arg") != list(range(len(args))):
        raise ValueError(f"prepared {key!r}: each argument must appear exactly once among the parameters")
    return sql, plan


def run(key, build, *args):
    """The executed query `build(*args)`, ready to iterate, its SQL text made once per process
    and kind of database under `key`."""
    query = build(*args)
    if not all(_plain(value) for value in args):  # None, a date, a model: as peewee runs it
        return query
    entry = _made.get((key, type(db.obj)))
    if entry is None:
        entry = _made[(key, type(db.obj))] = _make(key, build, args)
    sql, plan = entry
    params = [args[v] if kind == "arg" else v for kind, v in plan]
    query._cursor_wrapper = query._get_cursor_wrapper(db.execute_sql(sql, params))
    return query


def rows(key, build, *args):
    """`run` as a list of the query's rows."""
    return list(run(key, build, *args))


def first(key, build, *args):
    """The first row of `run` or None (the query should carry its own LIMIT 1)."""
    found = rows(key, build, *args)
    return found[0] if found else None
