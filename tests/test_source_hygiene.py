"""What a merge can leave behind unnoticed: conflict markers, and a style sheet whose
braces no longer balance (the browser then drops every rule after the break, silently)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<<<<<<< |>>>>>>> |\|\|\|\|\|\|\| )", re.M)


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--", *patterns], cwd=ROOT, capture_output=True, text=True
    )
    return [ROOT / name for name in listed.stdout.split()]


def test_no_file_keeps_a_conflict_marker() -> None:
    patterns = ("*.py", "*.html", "*.txt", "*.css", "*.js", "*.po", "*.md", "*.toml", "*.yml")
    found = [
        str(path.relative_to(ROOT))
        for path in _tracked(*patterns)
        if path.is_file() and MARKER.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert found == []


def test_every_style_sheet_closes_what_it_opens() -> None:
    sheets = _tracked("static/css/*.css")
    assert sheets, "the project's style sheets"
    for sheet in sheets:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet.name}: a '}}' without its '{{' by line {number}"
        assert depth == 0, f"{sheet.name}: {depth} block(s) left open"
