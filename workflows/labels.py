from __future__ import annotations

from workflows.application import ApplicationFlow


def transition_labels() -> dict[str, str]:
    return {
        method.slug: str(next(iter(transitions)).label)
        for method, transitions in ApplicationFlow.state.get_transitions().items()
    }


def done_labels() -> dict[str, str]:
    """How a transition reads in a timeline, once it has happened ("Submitted")."""
    labels = {
        method.slug: str(next(iter(transitions)).custom.get("done", method.slug))
        for method, transitions in ApplicationFlow.state.get_transitions().items()
    }
    return labels
