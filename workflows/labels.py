from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Role

from .application import ApplicationFlow
from .rules import APPLICANT


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
    # Case events that are not state changes, chained with them (cases/meeting_services.py).
    labels["declare_conflict"] = _("Conflict of interest declared")
    labels["rule_conflict"] = _("Ruling on a declared conflict of interest")
    labels["anonymise"] = _("Personal data anonymised (retention)")
    return labels


def role_label(role: str) -> str:
    if role == APPLICANT:
        return _("Applicant")
    try:
        return str(Role(role).label)
    except ValueError:
        return role
