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
    return {
        method.slug: str(next(iter(transitions)).custom.get("done", method.slug))
        for method, transitions in ApplicationFlow.state.get_transitions().items()
    }


def role_label(role: str) -> str:
    if role == APPLICANT:
        return _("Applicant")
    try:
        return str(Role(role).label)
    except ValueError:
        return role
