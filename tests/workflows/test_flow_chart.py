from __future__ import annotations

from pathlib import Path

from cases.models import ApplicationStatus
from workflows.chart import flow_chart_dot, render_svg
from workflows.engine import transitions_of

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_chart_has_every_state_and_every_transition_edge() -> None:
    dot = flow_chart_dot()
    for state in ApplicationStatus.values:
        assert f'"{state}" [label="{state}"' in dot
    for name, transitions in transitions_of().items():
        for transition in transitions:
            for target in transition.declared_targets():
                assert f'"{transition.source}" -> "{target}" [label="{name}"]' in dot
    assert '"recommended" -> "granted" [label="decide"]' in dot
    assert '"recommended" -> "refused" [label="decide"]' in dot


def test_the_chart_in_the_docs_is_the_one_the_code_generates() -> None:
    # `make chart` regenerates it; this fails when the flow changed and the docs did not.
    assert (DOCS / "application-flow.dot").read_text() == flow_chart_dot()


def test_graphviz_renders_the_chart() -> None:
    svg = render_svg(flow_chart_dot())
    assert svg.startswith("<svg") and "withdrawn" in svg
