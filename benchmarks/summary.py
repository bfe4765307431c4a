#!/usr/bin/env python
"""The goals of ``make bench`` in one table: every goal each benchmark wrote, with its figure
and PASS/FAIL, and the machine's load while it ran.

    .venv/bin/python benchmarks/summary.py      # the last line of make bench

Each benchmark writes ``benchmarks/results/<name>.json`` with a list ``goals`` of
``{"goal", "measured", "limit", "pass"}`` (at the top or inside a part) and ``loadavg``. This
script only reads them, prints them and writes ``benchmarks/results/summary.json``; a goal is
printed, never asserted (``make bench`` does not fail on a FAIL: the figures are the result).
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
ORDER = ["national", "generate", "reminder_sweep", "pages", "topology"]


def goals_in(value: Any) -> list[dict[str, Any]]:
    """Every goal in a result, wherever a part put its list."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "goals" and isinstance(item, list):
                found += [g for g in item if isinstance(g, dict) and "goal" in g]
            else:
                found += goals_in(item)
    elif isinstance(value, list):
        for item in value:
            found += goals_in(item)
    return found


def loads_in(value: Any) -> list[Any]:
    if isinstance(value, dict):
        own = [value["loadavg"]] if "loadavg" in value else []
        return own + [x for k, v in value.items() if k != "loadavg" for x in loads_in(v)]
    return []


def main() -> None:
    files = sorted(
        RESULTS.glob("*.json"),
        key=lambda p: (p.stem not in ORDER, ORDER.index(p.stem) if p.stem in ORDER else 0, p.stem),
    )
    summary: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "benchmarks": {},
    }
    total = passed = 0
    for path in files:
        if path.stem == "summary":
            continue
        data = json.loads(path.read_text())
        goals = goals_in(data)
        if not goals:
            continue
        loads = loads_in(data)
        summary["benchmarks"][path.stem] = {"goals": goals, "loadavg": loads}
        when = data.get("run_at") or data.get("date") or ""
        print(f"\n{path.relative_to(ROOT)} {when}".rstrip())
        if loads:
            print(f"  load average during the run: {loads}")
        for goal in goals:
            verdict = "PASS" if goal.get("pass") else "FAIL"
            total += 1
            passed += bool(goal.get("pass"))
            print(f"  {verdict}  {goal['goal']}: {goal.get('measured')} (goal {goal.get('limit')})")
    summary["passed"], summary["total"] = passed, total
    print(f"\n{passed} of {total} goals met.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
