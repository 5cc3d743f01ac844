"""No circular imports between services, counting imports inside functions too: a cycle is
broken by moving the shared piece down, never by hiding an import in a function."""
import sys

from tests.services.import_graph import cycles, graph


def test_services_import_each_other_without_a_cycle():
    found = cycles(graph())
    assert found == [], "circular imports between services: " + "; ".join(" <-> ".join(c) for c in found)


def test_function_level_and_every_import_form_count(tmp_path):
    package = tmp_path / "fakesvc"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from fakesvc import b\n")
    (package / "b.py").write_text("def later():\n    from fakesvc.c import thing\n")
    (package / "c.py").write_text("def later():\n    import fakesvc.a\n")
    (package / "d.py").write_text('"""from fakesvc import a  (a docstring, not an import)"""\n')
    edges = graph(package, "fakesvc")
    assert edges["fakesvc.d"] == set()
    assert cycles(edges) == [["fakesvc.a", "fakesvc.b", "fakesvc.c"]]
    assert "fakesvc" not in sys.modules  # read from the sources, never imported


def test_the_real_graph_is_read():
    edges = graph()
    assert "portal.services.tickets" in edges["portal.services.bugs"]      # module level
    assert "portal.services.credentials" in edges["portal.services.sessions"]
