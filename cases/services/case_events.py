"""A case event that is not a change of state, chained in the case's trail.

File notes and documents received are recorded like the conflict declarations
(cases/services/meetings.py): one transition record whose from- and to-state are the
case's current status, with the case row locked, in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from cases.models import Application
from cases.trail.chain import record_transition
from cases.trail.models import TransitionRecord


def record_case_event(
    application: Application,
    *,
    flow: str,
    event: str,
    actor: Any,
    role: str,
    reason: str,
    **payload: Any,
) -> TransitionRecord:
    # Read again, locked: a transition running in this transaction may have saved the case
    # already, and the record must carry the case as it now stands.
    locked = Application.objects.select_for_update().get(pk=application.pk)
    return record_transition(
        application=locked,
        flow=flow,
        transition=event,
        from_state=locked.status,
        to_state=locked.status,
        actor=actor,
        role=role,
        reason=reason,
        payload=payload,
    )
