"""The README is a newcomer's page that opens with the two commands; every relative link in
README.md, CHANGELOG.md and docs/*.md reaches a file of the repository."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def pages():
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def broken_links(page):
    """Relative link targets of `page` (outside code blocks) that name no file or folder."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    targets = [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]
    return [t for t in targets if not (page.parent / t.split("#")[0]).exists()]


def test_every_relative_link_reaches_a_file():
    broken = {str(p.relative_to(ROOT)): broken_links(p) for p in pages() if p.exists()}
    assert not {name: links for name, links in broken.items() if links}


def test_the_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("x")
    page.write_text("[ok](there.md#a) [web](https://example.com) [gone](missing.md)\n"
                    "```\n[in code](also-missing.md)\n```\n")
    assert broken_links(page) == ["missing.md"]


def test_readme_is_short_and_opens_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move detail to docs/"
    assert lines[0].startswith("# ") and lines[1] == "" and lines[2] == "```"
    assert [line.split()[0] for line in lines[3:5]] == ["scripts/start", "scripts/test"]
    assert lines[5] == "```"


def test_headings_name_the_domain_not_the_delivery():
    """Headings say what a section is about; which issue delivered it belongs to git history."""
    history = re.compile(r"^#+ .*\b(issue \d+|part [AB]\b|review fixes)", re.I | re.M)
    found = [(p.name, m.group(0)) for p in pages() if p.exists()
             for m in history.finditer(FENCE.sub("", p.read_text(encoding="utf-8")))]
    assert not found
