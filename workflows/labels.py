"""The transitions' names as the screens show them, for every flow of an application.

The flows share their transitions' names (``submit`` is ``submit`` in each); a name some
flows label differently — ``decide_directly`` — is labelled as the first registered flow
that has it labels it, and the done labels agree across flows (a test checks it).
"""

from __future__ import annotations

from typing import Any

from workflows.engine import application_flows


def _labels(read: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    for flow_class in application_flows().values():
        for method, transitions in flow_class.state.get_transitions().items():
            labels.setdefault(method.slug, str(read(next(iter(transitions)), method.slug)))
    return labels


def transition_labels() -> dict[str, str]:
    return _labels(lambda transition, slug: transition.label)


def done_labels() -> dict[str, str]:
    """How a transition reads in a timeline, once it has happened ("Submitted")."""
    return _labels(lambda transition, slug: transition.custom.get("done", slug))
