"""Every rule clause of the support policy (docs/support-policy.md) is enforced and tested.

A clause counts as enforced only where `portal/policy` or a service (`portal/services`, which
asks the policy) cites it: a mention in demo data, the CLI, a view or a template is not
enforcement. A clause counts as tested where a test under `tests/` cites it.

`python -m tests.test_policy_coverage` prints the clause map that docs/policy.md carries.
"""
import collections
import sys
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "docs" / "support-policy.md"
ENFORCING = ["portal/policy", "portal/services"]
# clauses that state a fact rather than a rule the portal can enforce
INFORMATIONAL = {
    "2.3": "support is free for every level: the portal has no billing at all",
    "4.3": "email, chat, social media and phone are not offered: the portal has only tickets and forum",
}
CITATION = re.compile(r"policy[ _]+((?:\d[._]\d(?:\s*[-–,/]\s*|\s+and\s+|_)?)+)", re.I)
SPAN = re.compile(r"(\d)[._](\d)(?:\s*[-–]\s*(\d)[._](\d))?")


def clauses():
    """Clause numbers of the policy statement, in order."""
    text = POLICY.read_text(encoding="utf-8")
    return re.findall(r"^- (\d\.\d)", text, re.M)


def _expand(text):
    found = set()
    for a, b, c, d in SPAN.findall(text):
        if c and a == c:
            found |= {f"{a}.{n}" for n in range(int(b), int(d) + 1)}
        else:
            found.add(f"{a}.{b}")
    return found


def citations(folders, suffixes=(".py", ".html", ".toml")):
    """clause -> set of files under `folders` that cite it ('# policy 3.4', test_policy_3_4_...)."""
    cited = collections.defaultdict(set)
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in suffixes and path.name != Path(__file__).name:
                for match in CITATION.finditer(path.read_text(encoding="utf-8", errors="ignore")):
                    for clause in _expand(match.group(1)):
                        cited[clause].add(str(path.relative_to(ROOT)))
    return cited


def test_every_rule_clause_has_code_and_a_test():
    numbers = clauses()
    assert len(numbers) >= 30, "docs/support-policy.md changed shape"
    code, tests = citations(ENFORCING), citations(["tests"])
    missing = [(c, "code" if not code[c] else "test") for c in numbers
               if c not in INFORMATIONAL and (not code[c] or not tests[c])]
    assert not missing, missing


def markdown_map():
    """The clause map of docs/policy.md: clause, where enforced, where tested."""
    code, tests = citations(ENFORCING), citations(["tests"])
    lines = ["| clause | enforced in | tested in |", "|---|---|---|"]
    for clause in clauses():
        if clause in INFORMATIONAL:
            lines.append(f"| {clause} | informational: {INFORMATIONAL[clause]} | – |")
            continue
        where = ", ".join(f"`{p}`" for p in sorted(code[clause])[:5])
        tested = ", ".join(f"`{p}`" for p in sorted(tests[clause])[:3])
        lines.append(f"| {clause} | {where} | {tested} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_map())


def test_the_repository_stands_on_its_own():
    """Nothing in the repository reads or points to files outside it (../shared)."""
    import subprocess
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    outside = re.compile(r"\.\./shared|shared/policy|shared/STYLE")
    offenders = [name for name in files if (ROOT / name).is_file() and name != "tests/test_policy_coverage.py"
                 and outside.search((ROOT / name).read_text(encoding="utf-8", errors="ignore"))]
    assert not offenders, offenders


def test_demo_and_cli_mentions_do_not_count_as_enforcement(tmp_path, monkeypatch):
    """A clause cited only in demo data or the CLI has no enforcing code."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "portal" / "demo").mkdir(parents=True)
    (tmp_path / "portal" / "demo" / "seed.py").write_text("# policy 5.2\n")
    (tmp_path / "portal" / "policy").mkdir()
    (tmp_path / "portal" / "services").mkdir()
    (tmp_path / "portal" / "services" / "bugs.py").write_text("# policy 5.3\n")
    code = citations(ENFORCING)
    assert "5.2" not in code and code["5.3"] == {"portal/services/bugs.py"}
