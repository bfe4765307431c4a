"""Each registered flow's chart, built from its State's own transitions so it cannot drift.

Only viewflow.fsm's ``State`` API is used; its chart module is not (license header).
"""

from __future__ import annotations

import shutil
import subprocess  # runs the fixed Graphviz binary on our own DOT text  # nosec B404
from functools import lru_cache

from workflows.application import ApplicationFlow
from workflows.engine import FLOWS
from workflows.flow import Flow


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow_chart_dot(flow_class: type[Flow] = ApplicationFlow) -> str:
    """DOT text: one node per state, one edge per (transition, source, target).

    Node and edge names are the stable identifiers, so the chart reads the same
    in every language and a diff of it shows a change of the rules.
    """
    edges: list[tuple[str, str, str]] = []
    for method, transitions in flow_class.state.get_transitions().items():
        for transition in transitions:
            for target in transition.declared_targets():
                edges.append((str(transition.source), str(target), method.slug))
    edges.sort()
    lines = [
        f"digraph {flow_class.name} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for state in flow_class.states.values:
        attrs = ', fillcolor="#e0e0e0", peripheries=2' if state in flow_class.terminal else ""
        if state == flow_class.initial:
            attrs = ', fillcolor="#d7e8fa"'
        lines.append(f"  {_quote(state)} [label={_quote(state)}{attrs}];")
    for source, target, name in edges:
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(name)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot: str) -> str:
    binary = shutil.which("dot")
    if binary is None:
        raise RuntimeError("Graphviz 'dot' is not installed (Debian package graphviz).")
    result = subprocess.run(  # noqa: S603  (fixed binary, no shell, our own input)  # nosec B603
        [binary, "-Tsvg"], input=dot.encode(), capture_output=True, check=True, timeout=30
    )
    svg = result.stdout.decode()
    return svg[svg.index("<svg") :]


@lru_cache(maxsize=len(FLOWS))
def flow_chart_svg(name: str = ApplicationFlow.name) -> str:
    """The chart of the registered flow called ``name``, as SVG."""
    return render_svg(flow_chart_dot(FLOWS[name]))
