"""INSERTs prepared once per process, for the rows written on every ticket filed (issue 16).

`Model.create` builds its INSERT anew each time, walking the query tree: for a ticket's 18
columns that was most of the insert's cost (about 1 ms of Python against 0.2 ms in SQLite).
`create(model, **values)` gives the same saved instance: the model sets its defaults as usual,
the text length backstop runs (BaseModel.check_lengths), and the SQL text peewee made the first
time for that model and that set of columns is reused with the new values, each converted by
its field (`db_value`) as peewee does. Anything out of the ordinary (an SQL expression as a
value, a primary key given) goes through `model.create` itself.
"""
from peewee import Node

from portal.db import db

_made = {}  # (model, columns, kind of database) -> (sql, fields) or None when peewee's text differs


def _build(model, data):
    """(sql, fields in parameter order) of the INSERT peewee makes for `data`, or None."""
    meta = model._meta
    query = model.insert(**data)
    if db.returning_clause:  # what Insert._execute adds on PostgreSQL: the new id comes back
        query = query.returning(meta.primary_key)
    sql, params = query.sql()
    fields = [field for field in meta.sorted_fields if field.name in data]
    # the parameters must be exactly the values in field order, and the column list in that order
    quote = db.quote or '""'
    columns = "(" + ", ".join(field.column_name.join(quote) for field in fields) + ")"
    if len(fields) != len(data) or columns not in sql or params != [f.db_value(data[f.name]) for f in fields]:
        return None
    return sql, fields


def create(model, **values):
    """`model.create(**values)`, its INSERT text made once per process and set of columns."""
    instance = model(**values)
    meta, data = model._meta, dict(instance.__data__)
    pk = meta.primary_key
    if not meta.auto_increment or data.pop(pk.name, None) is not None or instance.__rel__ and any(
            rel.get_id() is None for rel in instance.__rel__.values()) or any(
            isinstance(value, Node) for value in data.values()):
        return model.create(**values)
    instance.check_lengths()
    key = (model, tuple(data), type(db.obj))
    if key not in _made:
        _made[key] = _build(model, data)
    made = _made[key]
    if made is None:
        return model.create(**values)
    sql, fields = made
    cursor = db.execute_sql(sql, [field.db_value(data[field.name]) for field in fields])
    instance._pk = cursor.fetchone()[0] if db.returning_clause else cursor.lastrowid
    instance._dirty.clear()
    return instance
