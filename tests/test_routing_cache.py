"""The session's cache of werkzeug URL builders (tests/routing_cache.py) gives every rule of a new
app the function werkzeug would have compiled for it."""
from tests import routing_cache


def _code(function):
    code = function.__code__
    return code.co_code, code.co_consts, code.co_names, code.co_varnames


def test_every_cached_builder_is_the_one_werkzeug_compiles(app):
    routing_cache.install()
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50 and routing_cache._compiled  # the portal's routes, built through the cache
    for rule in rules:
        for append_unknown, bound in ((False, rule._build), (True, rule._build_unknown)):
            assert bound.__self__ is rule
            fresh = routing_cache._original(rule, append_unknown)
            assert _code(bound.__func__) == _code(fresh), rule.rule


def test_urls_are_built_as_before(app):
    with app.test_request_context():
        from flask import url_for
        assert url_for("static", filename="css/portal.css") == "/static/css/portal.css"
        assert url_for("static", filename="a b.css", v=3) == "/static/a%20b.css?v=3"
