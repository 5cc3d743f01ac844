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
import peewee

from portal.db import _MomentAccessor

_AS_READ = {peewee._StringField.adapt: frozenset({type(None), str}),
            peewee.IntegerField.adapt: frozenset({type(None), int})}
_STORE, _MOMENT, _SET = 0, 1, 2  # how a value goes onto a fresh instance


def kept_as_read(convert):
    """The types of value a column's converter gives back unchanged, which need no call: None and
    str for peewee's own text fields, None and int for its integers (nothing for any other)."""
    field = getattr(convert, "__self__", None)
    if getattr(convert, "__func__", None) not in (peewee.Field.python_value, peewee.IntegerField.python_value):
        return frozenset()
    return _AS_READ.get(type(field).adapt, frozenset({type(None)}))


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


def _tuples(wrapper):
    converters = [(convert, kept_as_read(convert)) for convert in wrapper.converters]

    def read(found):
        return [tuple([value if convert is None or type(value) in kept else convert(value)
                       for (convert, kept), value in zip(converters, row)]) for row in found]
    return read


def _step(i, name, convert, model):
    """(index, name, converter or None, types it keeps, how, field) of one column."""
    how, field = _how(model, name) if model is not None else (_SET, None)
    return i, name, convert, kept_as_read(convert) if convert is not None else frozenset(), how, field


def _objects(wrapper):
    """One model per row (ModelObjectCursorWrapper with a model for constructor): the columns of
    its ModelDictCursorWrapper, unconverted ones first, as `constructor(**result)` sets them."""
    model, names, converters = wrapper.constructor, wrapper.unique_columns, wrapper.converters
    plan = [_step(i, names[i], None, model) for i in wrapper.no_convert]
    plan += [_step(i, names[i], converters[i], model) for i in wrapper.convert]

    def read(found):
        made = []
        for row in found:
            instance = model(__no_default__=1)
            data = instance.__data__
            for i, name, convert, kept, how, field in plan:
                value = row[i]
                if convert is not None and type(value) not in kept:
                    value = convert(value)
                if how == _STORE:
                    data[name] = value
                elif how == _MOMENT:
                    data[name] = field.utc(value)
                else:
                    setattr(instance, name, value)
            instance._dirty.clear()
            made.append(instance)
        return made
    return read


def _joined(wrapper):
    """Models joined in one row (ModelCursorWrapper): its process_row with the column steps
    worked out once; the joined instances are linked exactly as it links them."""
    constructor_list, root = wrapper._constructor_list, wrapper.model
    present = {key: (construct, is_model) for key, construct, is_model in constructor_list}
    plan = []
    for i, key, column, convert in wrapper._row_spec:
        construct, is_model = present[key if key in present else root]  # objects.get(key, default)
        plan.append((key, *_step(i, column, convert, construct if is_model else None)))
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
            default_instance = objects[root]
            set_keys = set()
            for key, i, column, convert, kept, how, field in plan:
                instance = objects.get(key, default_instance)
                value = row[i]
                if value is not None:
                    set_keys.add(key)
                if convert is not None and type(value) not in kept:
                    value = convert(value)
                if how == _STORE:
                    instance.__data__[column] = value
                elif how == _MOMENT:
                    instance.__data__[column] = field.utc(value)
                elif isinstance(instance, dict):
                    instance[column] = value
                else:
                    setattr(instance, column, value)
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
