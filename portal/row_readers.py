"""Fetched rows made into what peewee's own row readers make of them, at less cost per row
(portal/prepared.py, issue 16).

peewee reads a row through its cursor wrapper: an iterator step per row, and per column a
converter call and an attribute assignment through the field's accessor, which stores the value
in the instance's `__data__` and marks it dirty (marks cleared again at the end). For a prepared
query the reader is set up once; `reader_for(wrapper)` gives a function of the fetched rows that
does the same work with those steps worked out once: a column whose converter gives its value
back unchanged (peewee's text and integer fields, NULLs) is not passed through it, and a value
whose accessor would only store it is stored in `__data__` directly. Anything else (another
accessor, a dict row, a model's own constructor) goes through peewee as before, and a wrapper of
another kind gets no reader (None: peewee's own iteration).
"""
import operator

import peewee

from portal.db import DateTimeField, _MomentAccessor

_AS_READ = {peewee._StringField.adapt: frozenset({type(None), str}),
            peewee.IntegerField.adapt: frozenset({type(None), int})}
_PLAIN = (peewee.Field.python_value, peewee.IntegerField.python_value)
_STORE, _MOMENT, _SET = 0, 1, 2  # how a value goes onto a fresh instance


def kept_as_read(convert):
    """The types of value a column's converter gives back unchanged, which need no call: None and
    str for peewee's own text fields, None and int for its integers (nothing for any other)."""
    field = getattr(convert, "__self__", None)
    if getattr(convert, "__func__", None) not in _PLAIN:
        return frozenset()
    return _AS_READ.get(type(field).adapt, frozenset({type(None)}))


def resolved(convert):
    """(converter or None, the types it gives back unchanged) for one column: an alias's field and
    a foreign key's target field converted as themselves (what their python_value calls), a field
    whose adapt gives every value back unchanged not at all."""
    while convert is not None:
        func, field = getattr(convert, "__func__", None), getattr(convert, "__self__", None)
        if func is peewee.FieldAlias.python_value:
            convert = field.field.python_value
        elif func is peewee.ForeignKeyField.python_value:  # a driver's value is never a model instance
            convert = field.rel_field.python_value
        elif func in _PLAIN and type(field).adapt is peewee.Field.adapt:
            return None, frozenset()
        elif func is DateTimeField.python_value:  # None stays None
            return convert, frozenset({type(None)})
        else:
            return convert, kept_as_read(convert)
    return None, frozenset()


def _accessor(model, name):
    for klass in model.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _how(model, name):
    """(_STORE | _MOMENT | _SET, field): a plain or foreign-key accessor stores a fresh instance's
    value as it is (a key's id: no related instance is cached yet), a moment after its field's
    utc(); any other attribute is set as peewee sets it."""
    accessor = _accessor(model, name)
    if type(accessor) in (peewee.FieldAccessor, peewee.ForeignKeyAccessor):
        return _STORE, None
    if type(accessor) is _MomentAccessor:
        return _MOMENT, accessor.field
    return _SET, None


def _getter(indices):
    """The values at `indices` of a row, always a tuple (itemgetter gives one index's value bare)."""
    if len(indices) == 1:
        i = indices[0]
        return lambda row: (row[i],)
    return operator.itemgetter(*indices)


def _tuples(wrapper):
    fixes = []
    for i, convert in enumerate(wrapper.converters):
        fix, kept = resolved(convert)
        if fix is not None:
            fixes.append((i, fix, kept))

    def read(found):
        if not fixes:
            return [row if type(row) is tuple else tuple(row) for row in found]
        made = []
        for row in found:
            values = list(row)
            for i, fix, kept in fixes:
                value = values[i]
                if type(value) not in kept:
                    values[i] = fix(value)
            made.append(tuple(values))
        return made
    return read


def _step(i, name, convert, model):
    """(index, name, converter or None, types it keeps, how) of one column; a moment (its
    attribute keeps values in UTC) is stored after its field's utc(), which the values of a
    portal DateTimeField's python_value need no more: they are aware UTC already."""
    how, field = _how(model, name) if model is not None else (_SET, None)
    fix, kept = resolved(convert)
    if how == _MOMENT:
        how = _STORE
        if getattr(fix, "__func__", None) is not DateTimeField.python_value:
            fix, kept = _with_utc(fix, field), frozenset()
    return i, name, fix, kept, how


def _with_utc(fix, field):
    if fix is None:
        return field.utc
    return lambda value: field.utc(fix(value))


class _Fill:
    """How one model's (or dict's) columns go onto its fresh instance: the stored ones in one
    update of its data, then the converted ones; a group with an attribute set as peewee sets it
    goes column by column, in the row's order."""

    def __init__(self, steps, model):
        self.indices = tuple(step[0] for step in steps)
        self.get = _getter(self.indices)
        self.count = len(steps)
        self.by_column = all(step[4] == _STORE for step in steps) if model else True
        self.names = tuple(step[1] for step in steps)
        self.fixes = tuple((name, i, fix, kept) for i, name, fix, kept, how in steps if fix is not None)
        self.steps = steps
        self.model = model

    def fill(self, instance, row, values):
        if self.by_column:  # every column stored as read (or a dict's item), some converted
            data = instance.__data__ if self.model else instance
            data.update(zip(self.names, values))
            for name, i, fix, kept in self.fixes:
                value = row[i]
                if type(value) not in kept:
                    data[name] = fix(value)
            return
        data = instance.__data__
        for i, name, fix, kept, how in self.steps:
            value = row[i]
            if fix is not None and type(value) not in kept:
                value = fix(value)
            if how == _STORE:
                data[name] = value
            else:
                setattr(instance, name, value)


def _objects(wrapper):
    """One model per row (ModelObjectCursorWrapper with a model for constructor): the columns of
    its ModelDictCursorWrapper, unconverted ones first, as `constructor(**result)` sets them."""
    model, names, converters = wrapper.constructor, wrapper.unique_columns, wrapper.converters
    steps = [_step(i, names[i], None, model) for i in wrapper.no_convert]
    steps += [_step(i, names[i], converters[i], model) for i in wrapper.convert]
    filler = _Fill(steps, model)

    def read(found):
        made = []
        for row in found:
            instance = model(__no_default__=1)
            filler.fill(instance, row, filler.get(row))
            instance._dirty.clear()
            made.append(instance)
        return made
    return read


def _joined(wrapper):
    """Models joined in one row (ModelCursorWrapper): its process_row with the column steps
    worked out once; the joined instances are linked exactly as it links them."""
    constructor_list, root = wrapper._constructor_list, wrapper.model
    present = {key: (construct, is_model) for key, construct, is_model in constructor_list}
    by_key = {}  # a column's key -> its steps, in the row's order
    for i, key, column, convert in wrapper._row_spec:
        construct, is_model = present[key if key in present else root]  # objects.get(key, default)
        by_key.setdefault(key, []).append(_step(i, column, convert, construct if is_model else None))
    groups = []
    for key, steps in by_key.items():
        target = key if key in present else root
        groups.append((key, target, _Fill(steps, present[target][1])))
    src_to_dest, reachable = wrapper.src_to_dest, wrapper._dest_reachable

    def read(found):
        made = []
        for row in found:
            objects, model_list = {}, []
            for key, constructor, is_model in constructor_list:
                if is_model:
                    objects[key] = constructor(__no_default__=True)
                    model_list.append(objects[key])
                else:
                    objects[key] = constructor()
            set_keys = set()
            for key, target, filler in groups:
                values = filler.get(row)
                if values.count(None) != filler.count:  # a column of this key is set
                    set_keys.add(key)
                filler.fill(objects[target], row, values)
            for src, attr, dest, is_dict, is_outer, is_fk in src_to_dest:  # as peewee links them
                instance = objects.get(src)
                joined_instance = objects.get(dest)
                if joined_instance is None and dest not in objects:
                    continue
                assign = False
                if dest not in set_keys and dest in reachable:
                    assign = bool(reachable[dest] & set_keys)
                if dest not in set_keys and not assign:
                    if is_outer:
                        joined_instance = None
                    else:
                        continue
                if src not in set_keys and dest not in set_keys and is_outer:
                    continue
                if is_dict:
                    instance[attr] = joined_instance
                elif is_fk and joined_instance is None:
                    instance.__rel__[attr] = None
                else:
                    setattr(instance, attr, joined_instance)
            for instance in model_list:
                instance._dirty.clear()
            made.append(objects[root])
        return made
    return read


def reader_for(wrapper):
    """A function of the fetched rows giving what the set-up `wrapper` gives, or None."""
    kind = type(wrapper)
    if kind is peewee.ModelTupleCursorWrapper:
        return _tuples(wrapper)
    if kind is peewee.ModelObjectCursorWrapper and wrapper.is_model:
        return _objects(wrapper)
    if kind is peewee.ModelCursorWrapper:
        return _joined(wrapper)
    return None
