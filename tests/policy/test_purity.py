"""portal.policy stays pure: stdlib only, nothing from flask, peewee or the rest of portal."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import portal.policy

PACKAGE = Path(portal.policy.__file__).parent
ROOT = PACKAGE.parent.parent
FORBIDDEN = ("flask", "peewee", "werkzeug", "jinja2")
# third-party libraries the pure rules may use: offline models, no framework (policy 4.2)
ALLOWED_THIRD_PARTY = ("py3langid", "numpy")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""


def test_policy_package_sources_import_only_stdlib_and_itself():
    sources = sorted(PACKAGE.glob("*.py"))
    assert sources
    for path in sources:
        for level, module in _imports(path):
            top = module.split(".")[0]
            if level:  # relative: must stay inside portal.policy
                assert level == 1, f"{path.name}: relative import leaves portal.policy"
                continue
            assert top not in FORBIDDEN, f"{path.name} imports {module}"
            if top == "portal":
                assert module.startswith("portal.policy"), f"{path.name} imports {module}"
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, \
                    f"{path.name} imports non-stdlib {module}"


def test_policy_package_import_loads_no_framework_or_other_portal_module():
    code = (
        "import json, sys\n"
        "from portal.policy import load_policy\n"
        "p = load_policy()\n"
        "p.first_response_due(__import__('datetime').datetime.now(__import__('datetime').timezone.utc), 'PRO')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    modules = json.loads(out.stdout)
    for name in modules:
        top = name.split(".")[0]
        assert top not in FORBIDDEN, name
        if top == "portal":
            assert name == "portal" or name.startswith("portal.policy"), name


def test_policy_modules_stay_under_400_lines():
    # STYLE.md: modules under ~400 lines (secrets.py was 654 before secret_patterns.py was split off)
    for path in sorted(PACKAGE.glob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.name} has {lines} lines"
