"""Test-only: the URL builders werkzeug compiles for each rule, compiled once per test session.

Every test builds its own app (create_app), and werkzeug compiles two Python functions (an AST,
then `compile`) for each of the portal's ~100 routes of every new app: about 30 ms an app, a
tenth of the suite's time. The function is the same for the same rule: it is made from the
rule's text, its parsed parts, its defaults and its converters' types, and reads the rule
itself (converters included) only when called, through the `self` it is bound to. So it is kept
by exactly those, and bound to each new rule as werkzeug does. Anything it cannot key (defaults
that are not hashable) compiles as before; a werkzeug without this private method is left alone.
"""
from werkzeug.routing.rules import Rule

_original = getattr(Rule, "_compile_builder", None)
_compiled = {}


def _key(rule, append_unknown):
    defaults = tuple(sorted((rule.defaults or {}).items()))
    converters = tuple(sorted((name, type(conv).__qualname__) for name, conv in rule._converters.items()))
    return (append_unknown, rule.rule, rule.host, rule.subdomain, rule.map.host_matching,
            tuple(rule._trace), defaults, converters)


def _compile_builder(self, append_unknown=True):
    try:
        key = _key(self, append_unknown)
        hash(key)
    except (TypeError, AttributeError):
        return _original(self, append_unknown)
    function = _compiled.get(key)
    if function is None:
        function = _compiled[key] = _original(self, append_unknown)
    return function


def install():
    """Keep compiled builders for the rest of the process (called once from tests/conftest.py)."""
    if _original is not None and Rule._compile_builder is not _compile_builder:
        Rule._compile_builder = _compile_builder
