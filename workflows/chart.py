"""Each registered flow's chart, built from its State's own transitions so it cannot drift.

Only viewflow.fsm's ``State`` API is used; its chart module is not (license header).
"""

from __future__ import annotations

import shutil
import subprocess  # runs the fixed Graphviz binary on our own DOT text  # nosec B404
from functools import lru_cache

from django.utils import translation

from workflows.application import ApplicationFlow
from workflows.engine import FLOWS
from workflows.flow import Flow


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _on_the_path(
    flow_class: type[Flow], edges: list[tuple[str, str, str, str]], returning: set[str]
) -> list[tuple[str, str, str, str]]:
    """The edges the flow can take from its initial state: a shared transition's sources in
    another flow's part (a withdrawal from the council's review, in the quick pool) are not.

    A transition marked ``custom["returns"]`` (the hearing's end) goes back where its case
    came from: it leads only to states reached otherwise.
    """
    reached = {str(flow_class.initial)}
    grown = True
    while grown:
        grown = False
        for source, target, name, _label in edges:
            if name not in returning and source in reached and target not in reached:
                reached.add(target)
                grown = True
    return [e for e in edges if e[0] in reached and e[1] in reached]


def flow_chart_dot(flow_class: type[Flow] = ApplicationFlow, *, worded: bool = False) -> str:
    """DOT text: one node per state on the flow's path, one edge per (transition, source,
    target).

    Node and edge names are the stable identifiers. The labels are the identifiers too
    (the chart in docs/ reads the same in every language, and a diff of it shows a change
    of the rules), or, ``worded``, the states' and actions' names in the active language:
    the chart people read on screen.
    """
    edges: list[tuple[str, str, str, str]] = []
    returning: set[str] = set()
    for method, transitions in flow_class.state.get_transitions().items():
        for transition in transitions:
            label = str(transition.label or method.slug) if worded else method.slug
            if transition.custom.get("returns"):
                returning.add(method.slug)
            for target in transition.declared_targets():
                edges.append((str(transition.source), str(target), method.slug, label))
    edges = _on_the_path(flow_class, edges, returning)
    edges.sort()

    def node(state: str) -> str:
        # Worded, the state's name is its node's name too: Graphviz writes the node's name
        # into the SVG's <title>, which a browser shows on hover.
        return str(flow_class.states(state).label) if worded else state

    lines = [
        f"digraph {flow_class.name} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    # Only the flow's own path: the states its transitions touch (flows of an application
    # share one status enum; the quick pool's chart has no council and no committee).
    touched = {flow_class.initial} | {
        s for source, target, *_rest in edges for s in (source, target)
    }
    for state in flow_class.states.values:
        if state not in touched:
            continue
        attrs = ', fillcolor="#e0e0e0", peripheries=2' if state in flow_class.terminal else ""
        if state == flow_class.initial:
            attrs = ', fillcolor="#d7e8fa"'
        lines.append(f"  {_quote(node(state))} [label={_quote(node(state))}{attrs}];")
    for source, target, _name, label in edges:
        lines.append(f"  {_quote(node(source))} -> {_quote(node(target))} [label={_quote(label)}];")
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


@lru_cache(maxsize=4 * len(FLOWS))
def _worded_svg(name: str, language: str) -> str:
    with translation.override(language):
        return render_svg(flow_chart_dot(FLOWS[name], worded=True))


def flow_chart_svg(name: str = ApplicationFlow.name) -> str:
    """The chart of the registered flow called ``name``, as SVG, in the active language's
    words (the states and actions as the screens name them)."""
    return _worded_svg(name, translation.get_language() or "da")
