"""The layering holds: web and api -> workflows -> cases; notifications -> cases; no cycle.

The rules live in scripts/architecture.py (which also draws docs/architecture.svg);
docs/architecture.md says why.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _architecture() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "scripts/architecture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["architecture"] = module
    spec.loader.exec_module(module)
    return module


architecture = _architecture()


def test_no_import_breaks_the_layering() -> None:
    assert architecture.breaches() == []


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from web.applications import views\n    return views\n")

    assert architecture.imports_of(module, "cases") == [("web", 2)]


def test_the_domain_may_not_import_the_flows_or_the_screens() -> None:
    assert {"workflows", "web", "api", "notifications"}.isdisjoint(architecture.ALLOWED["cases"])
    assert "web" not in architecture.ALLOWED["api"]
    assert all(
        "web" not in allowed for pkg, allowed in architecture.ALLOWED.items() if pkg != "config"
    )


def test_the_picture_in_the_docs_is_drawn_from_the_code() -> None:
    """``make architecture`` regenerates it; this fails when the imports changed since."""
    assert (ROOT / "docs/architecture.dot").read_text(encoding="utf-8") == architecture.dot()


def test_every_import_of_our_own_modules_finds_its_module() -> None:
    """A module moved without its importers fails here, even where it is imported late."""
    import ast
    import importlib.util

    missing = []
    for _top, path in architecture.modules():
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.level and node.module else node.module
                name = name or base
            elif isinstance(node, ast.Import):
                name = node.names[0].name
            else:
                continue
            if name.split(".")[0] in architecture.PACKAGES and not importlib.util.find_spec(name):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert missing == []
