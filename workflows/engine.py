"""Running a transition: lock, check, call, record — all in one transaction.

viewflow.fsm checks the source state and the conditions when a transition
method is called, but not the permission. ``perform`` is the only entry point
the screens and the API use, and it checks in this order:

1. the case has not moved on since the user loaded it (row locked first);
2. the transition exists from the current state (else 409, or 403 if the
   user could never take it);
3. the user may take it (403), in which role;
4. the conditions hold and the input is valid (400) — checked by the method.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow import fsm

from cases.errors import (
    CaseMovedOn,
    ConditionsUnmet,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from cases.models import Application
from workflows.application import ApplicationFlow


@cache
def transitions_of(flow_class: Any = ApplicationFlow) -> dict[str, list[fsm.Transition]]:
    """Transition name -> its Transition objects (one per source state)."""
    return {
        method.slug: list(transitions)
        for method, transitions in flow_class.state.get_transitions().items()
    }


TRANSITION_NAMES = frozenset(transitions_of())


def _status_label(status: str) -> str:
    from cases.models import ApplicationStatus

    return str(ApplicationStatus(status).label)


def available_transitions(application: Application, user: Any) -> list[fsm.Transition]:
    """What this user can do to this application now (conditions are checked on the attempt)."""
    flow = ApplicationFlow(application)
    return [
        t
        for t in ApplicationFlow.state.get_outgoing_transitions(application.status)
        if t.has_perm(flow, user)
    ]


def may_take(application: Application, name: str, user: Any) -> bool:
    """Could this user take transition ``name`` on this application in some state?

    A screen asks before it validates the transition's input, so that someone who may
    not act at all is refused as such (403), not shown the input's errors.
    """
    flow = ApplicationFlow(application)
    return any(t.has_perm(flow, user) for t in transitions_of().get(name, ()))


def not_permitted_message(name: str) -> str:
    return _("You are not allowed to take the action “%(action)s” on this application.") % {
        "action": str(transitions_of()[name][0].label)
    }


def perform(
    application: Application,
    name: str,
    *,
    user: Any,
    seen_status: str | None = None,
    seen_version: int | None = None,
    **data: Any,
) -> Application:
    """Run transition ``name`` on ``application`` as ``user``; returns the updated application.

    ``application.status`` and ``application.version`` are taken as what the user
    saw: if the case moved on meanwhile (even away and back to the same state),
    ``CaseMovedOn`` is raised and nothing changes.
    """
    if name not in TRANSITION_NAMES:
        raise TransitionNotPossible(_("There is no action called “%(name)s”.") % {"name": name})
    # A page passes what it showed the user; otherwise the object's own state counts.
    if seen_status is None:
        seen_status = application.status
    if seen_version is None:
        seen_version = application.version
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("round", "association", "municipality")
            .get(pk=application.pk)
        )
        if locked.status != seen_status or locked.version != seen_version:
            raise CaseMovedOn(
                _(
                    "This case has moved on: someone else changed it to “%(status)s” "
                    "while you were working on it. Reload the page to see its current state."
                )
                % {"status": _status_label(locked.status)}
            )
        flow = ApplicationFlow(locked)
        transition = next(
            (t for t in transitions_of()[name] if t.source == locked.status),
            None,
        )
        label = str(transitions_of()[name][0].label)
        if transition is None:
            if not any(t.has_perm(flow, user) for t in transitions_of()[name]):
                raise TransitionNotPermitted(
                    _("You are not allowed to take the action “%(action)s” on this application.")
                    % {"action": label}
                )
            raise TransitionNotPossible(
                _("“%(action)s” is not possible while the application is “%(status)s”.")
                % {"action": label, "status": _status_label(locked.status)}
            )
        role = transition.has_perm(flow, user)
        if not role:
            raise TransitionNotPermitted(
                _("You are not allowed to take the action “%(action)s” on this application.")
                % {"action": label}
            )
        flow.actor = user
        flow.role = str(role)
        flow._current = name
        fields = transition.custom.get("fields", ())
        try:
            getattr(flow, name)(**{k: v for k, v in data.items() if k in fields})
        except fsm.TransitionConditionsUnmet as unmet:
            raise ConditionsUnmet(unmet.unmet_message or label) from None
    return locked
