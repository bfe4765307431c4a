"""What the security runs found, for the summary at the end of the pytest run.

Filled by test_matrix.py in the process that runs it. Under pytest-xdist that is a
worker: its lines travel to the controller in ``workeroutput`` (``send`` at the worker's
session end, ``receive`` when the worker goes down) and the controller prints them.
The hooks calling these live in tests/conftest.py, which every process loads.
"""

from __future__ import annotations

from typing import Any

SUMMARY: dict[str, Any] = {}

WORKEROUTPUT_KEY = "puljeflow_permission_matrix"


def send(config: Any) -> None:
    """On an xdist worker: hand the summary to the controller."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None and SUMMARY.get("lines"):
        workeroutput[WORKEROUTPUT_KEY] = list(SUMMARY["lines"])


def receive(node: Any) -> None:
    """On the xdist controller: take the summary a worker sent."""
    lines = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
    if lines:
        SUMMARY["lines"] = lines


def write(terminalreporter: Any) -> None:
    if not SUMMARY.get("lines"):
        return
    terminalreporter.section("permission matrix")
    for line in SUMMARY["lines"]:
        terminalreporter.write_line(line)
