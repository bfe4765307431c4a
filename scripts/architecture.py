#!/usr/bin/env python3
"""The layering of Puljeflow's packages, checked and drawn from the code's own imports.

    python3 scripts/architecture.py check            # prints each breach; exit 1 if any
    python3 scripts/architecture.py dot > FILE.dot   # the package graph, for Graphviz

``make architecture`` renders the graph to docs/architecture.svg; tests/test_architecture.py
fails when an import breaks the layering (imports inside functions count too).
The rules and their reasons are in docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", ".git", "migrations", "__pycache__", "templates", "static"}
# Every package, top to bottom; each may import only those listed for it.
ALLOWED: dict[str, set[str]] = {
    "config": {"cases", "workflows", "notifications", "web", "api", "accounts"},
    "web": {"workflows", "cases", "notifications", "accounts", "config"},
    "api": {"workflows", "cases", "notifications", "accounts", "config"},
    "workflows": {"cases", "notifications", "config"},
    "notifications": {"cases", "config"},
    "accounts": {"cases", "config"},
    "cases": {"config"},
    "benchmarks": {"cases", "workflows", "notifications", "config"},
}
PACKAGES = set(ALLOWED)
# Line limits: a flow may hold a whole life in one file; benchmarks are not app code.
MAX_LINES, FLOW_MAX_LINES = 500, 1000


def modules() -> list[tuple[str, Path]]:
    found = []
    for top in sorted(PACKAGES):
        base = ROOT / top
        for path in sorted(base.rglob("*.py")):
            if not SKIP_DIRS & set(path.relative_to(ROOT).parts):
                found.append((top, path))
    return found


def imports_of(path: Path, top: str) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):  # every import, at the top or inside a function
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((top, node.lineno))
            elif node.module:
                found.append((node.module.split(".")[0], node.lineno))
    return [(pkg, line) for pkg, line in found if pkg in PACKAGES and pkg != top]


def edges() -> dict[tuple[str, str], list[str]]:
    result: dict[tuple[str, str], list[str]] = defaultdict(list)
    for top, path in modules():
        for pkg, line in imports_of(path, top):
            result[(top, pkg)].append(f"{path.relative_to(ROOT)}:{line}")
    return result


def breaches() -> list[str]:
    found = []
    graph = edges()
    for (a, b), where in sorted(graph.items()):
        if b not in ALLOWED[a]:
            found.append(f"{a} -> {b} is not allowed: {', '.join(where[:3])}")
    for a, b in sorted(graph):
        if a < b and (b, a) in graph:
            found.append(f"cycle {a} <-> {b}")
    for top, path in modules():
        limit = FLOW_MAX_LINES if top == "workflows" else MAX_LINES
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if top != "benchmarks" and lines > limit:
            found.append(f"{path.relative_to(ROOT)} has {lines} lines (at most {limit})")
    return found


def dot() -> str:
    graph = edges()
    lines = [
        "digraph packages {",
        '  graph [rankdir=TB, fontname="DejaVu Sans", nodesep=0.5];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3f8", fontname="DejaVu Sans"];',
        '  edge [color="#555555", fontname="DejaVu Sans", fontsize=9];',
    ]
    for top in sorted(PACKAGES):
        lines.append(f'  "{top}";')
    for (a, b), where in sorted(graph.items()):
        colour = "" if b in ALLOWED[a] else ', color="#c00000"'
        lines.append(f'  "{a}" -> "{b}" [label="{len(where)}"{colour}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "dot":
        sys.stdout.write(dot())
        return 0
    found = breaches()
    for line in found:
        print(line)
    print(f"architecture: {len(found)} breaches")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
