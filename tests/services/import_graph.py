"""The import graph of portal/services, read from the sources (module- and function-level imports)."""
import ast
from pathlib import Path

import portal.services

PACKAGE = "portal.services"
ROOT = Path(portal.services.__file__).parent


def modules(root=ROOT, package=PACKAGE):
    """{dotted name: path} for the package and every module in it."""
    found = {package: root / "__init__.py"}
    for path in sorted(root.rglob("*.py")):
        if path.name != "__init__.py":
            found[package + "." + ".".join(path.relative_to(root).with_suffix("").parts)] = path
    return found


def _targets(node, known, package):
    """The service modules one import statement loads (wherever in the file it stands)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == package:
            subs = {f"{package}.{alias.name}" for alias in node.names}
            return {name for name in subs if name in known} or {package}
        if node.module in known:
            return {node.module}
    return set()


def graph(root=ROOT, package=PACKAGE):
    """{module: set of service modules it imports}, the package's own __init__ included."""
    known = modules(root, package)
    edges = {}
    for name, path in known.items():
        edges[name] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            edges[name] |= _targets(node, known, package)
        edges[name].discard(name)
    return edges


def cycles(edges):
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups
