"""The app's `int` URL converter: ids only (ASCII digits, 1 to 2^63 - 1), anything else is a 404."""
from werkzeug.routing import IntegerConverter, ValidationError

from portal.ids import parse_id


class IdConverter(IntegerConverter):
    """Replaces Werkzeug's `int`, whose `\\d+` takes other scripts' digits and whose values are unbounded."""

    regex = r"[0-9]+"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number


def register(app):
    """Before any blueprint: a rule picks its converter class when it is added."""
    app.url_map.converters["int"] = IdConverter
