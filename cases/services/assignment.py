"""Assigning a case to a case officer (issue 17): who has it on their desk.

``application_assign`` is the one write: the screens, the API and the bulk assignment call
it (through ``workflows.assignment``, which also tells the new case officer). The rule is
``cases.permissions``' (``require_may_assign``, ``assignee_problem``); the change is
chained in the case's trail as an ``assign_case`` event with the case officer before and
after, so the trail says who had the case when.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Application, Role
from cases.services.case_events import record_case_event
from cases.trail.history import actor_display_name

FLOW = "assignment"
EVENT = "assign_case"


def _who(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": actor_display_name(user)}


def application_assign(
    *, application: Application, acting_user: Any, case_officer: Any
) -> Application:
    """Give ``application`` to ``case_officer`` (None: to nobody). Refuses (PermissionDenied)
    a user who may not assign, and (ValidationError on ``case_officer``) an assignee who is
    not a case officer of the case's municipality, or is already assigned."""
    permissions.require_may_assign(acting_user, application)
    problem = permissions.assignee_problem(application, case_officer)
    if problem:
        raise ValidationError({"case_officer": problem})
    with transaction.atomic():
        # The case officer is read apart: PostgreSQL locks no nullable side of a join.
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.case_officer
        if (before.pk if before else None) == (case_officer.pk if case_officer else None):
            raise ValidationError(
                {
                    "case_officer": _("The case is already assigned to %(name)s.")
                    % {"name": actor_display_name(case_officer)}
                    if case_officer
                    else _("The case is not assigned to anyone.")
                }
            )
        locked.case_officer = case_officer
        locked.save(update_fields=["case_officer", "updated_at"])
        record_case_event(
            locked,
            flow=FLOW,
            event=EVENT,
            actor=acting_user,
            role=Role.CASE_OFFICER.value,
            # Names only, so the line reads the same in either language: "Carl → Dorthe".
            reason=f"{actor_display_name(before) or '–'} → {actor_display_name(case_officer) or '–'}",
            **{"from": _who(before), "to": _who(case_officer)},
        )
    application.case_officer = case_officer
    return application
