"""Every text the project marks for translation reads in Danish (the default language).

``makemessages`` runs on a copy of the code, so the project's catalogue is left as it is;
a string it finds without a Danish translation fails the test, unless Django's own
catalogue translates it (``Password``, the length messages Django writes too).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.translation import gettext, ngettext, override

ROOT = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "tests", "__pycache__", "*.mo", ".mypy_cache"
)
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


def _entries(po: str) -> list[dict[str, str]]:
    """The catalogue's entries as {keyword: text}, obsolete ones left out."""
    entries, current, key = [], {}, ""
    for line in po.splitlines():
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#"):
            continue
        match = ENTRY.match(line)
        if match:
            key = match[1]
            current[key] = match[2]
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    if current:
        entries.append(current)
    return entries


def _unescape(text: str) -> str:
    return text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_marked_text_has_a_danish_translation(tmp_path: Path) -> None:
    copy = tmp_path / "puljeflow"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
    )
    po = (copy / "locale/da/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    missing = []
    with override("da"):
        for entry in _entries(po):
            msgid = _unescape(entry.get("msgid", ""))
            if not msgid or entry.get("msgstr", entry.get("msgstr[0]", "")):
                continue
            if "msgid_plural" in entry:
                plural = _unescape(entry["msgid_plural"])
                translated = ngettext(msgid, plural, 1) != msgid
            else:
                translated = gettext(msgid) != msgid
            if not translated:
                missing.append(msgid)
    assert missing == [], "No Danish for:\n" + "\n".join(missing)
