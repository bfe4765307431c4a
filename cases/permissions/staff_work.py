"""Staff work that is not a transition: assigning cases, creating and editing rounds.

Part of ``cases.permissions``, which re-exports every name: callers import the package."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cases import roles
from cases.models import Application, ApplicationStatus, Role, StaffRole

from . import is_conflicted
from .case_file import _not_yet_a_case

# --- assigning cases and editing rounds (issue 17) --------------------------------------------
# The municipality's case officers assign its cases, to themselves or to a colleague; a
# case is assigned only to a case officer of its municipality who is not conflicted on it.
# Rounds are created and edited by its case officers and managers.
ROUND_EDITORS = (Role.CASE_OFFICER, Role.MANAGER)


def assign_refusal(user: Any, application: Application) -> str:
    """Why ``user`` may not assign ``application`` ("" when they may)."""
    if not roles.staff_role(user, application, Role.CASE_OFFICER):
        return _("Only a case officer of the municipality assigns its cases.")
    if application.status == ApplicationStatus.DRAFT:
        return _not_yet_a_case()
    return ""


def require_may_assign(user: Any, application: Application) -> None:
    refusal = assign_refusal(user, application)
    if refusal:
        raise PermissionDenied(refusal)


def assignee_problem(application: Application, case_officer: Any) -> str:
    """Why ``case_officer`` cannot be given ``application`` ("" when they can)."""
    if case_officer is None:
        return ""
    is_officer = StaffRole.objects.filter(
        user_id=case_officer.pk,
        municipality_id=application.municipality_id,
        role=Role.CASE_OFFICER,
        user__is_active=True,
    ).exists()
    if not is_officer:
        return _("%(name)s is not a case officer of %(m)s.") % {
            "name": case_officer.get_full_name() or case_officer.get_username(),
            "m": application.municipality,
        }
    if is_conflicted(case_officer, application):
        return _("%(name)s is conflicted on %(case)s and takes no part in it.") % {
            "name": case_officer.get_full_name() or case_officer.get_username(),
            "case": application.case_number,
        }
    return ""


def may_edit_rounds(user: Any, municipality_id: int) -> bool:
    return roles.profile(user).has_role(municipality_id, *ROUND_EDITORS)


def require_may_edit_rounds(user: Any, municipality_id: int) -> None:
    if not may_edit_rounds(user, municipality_id):
        raise PermissionDenied(
            _("Only the municipality's case officers and managers create and edit rounds.")
        )
