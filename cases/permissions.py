"""The rules that are not transitions, each written once: conflicts of interest
(forvaltningsloven § 3), presence and quorum at a meeting.

The screens, the API, the domain services and the flows all call these; a rule found
in two places is a bug waiting for its day.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cases.models import (
    Application,
    AssociationMember,
    ConflictDeclaration,
    ConflictRuling,
    Meeting,
    Role,
    StaffRole,
)

COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)


def conflicted_member_ids(application: Application) -> set[int]:
    """Members conflicted on this application (forvaltningsloven § 3), cached on the object.

    Known board ties count automatically; a declared tie counts until the body rules
    that it does not.
    """
    cached = getattr(application, "_conflicted_ids", None)
    if cached is not None:
        return cached
    ids = set(
        AssociationMember.objects.filter(
            association_id=application.association_id, is_board_member=True
        ).values_list("user_id", flat=True)
    )
    # A ruling can clear a declared tie, never a known board tie.
    ids |= set(
        ConflictDeclaration.objects.filter(application_id=application.pk)
        .exclude(ruling=ConflictRuling.NOT_CONFLICTED)
        .values_list("member_id", flat=True)
    )
    application._conflicted_ids = ids  # type: ignore[attr-defined]
    return ids


def forget_conflicts(application: Application) -> None:
    if hasattr(application, "_conflicted_ids"):
        del application._conflicted_ids


def is_conflicted(user: Any, application: Application) -> bool:
    return user.pk in conflicted_member_ids(application)


def present_ids(meeting: Meeting) -> set[int]:
    """The members registered as present at the meeting, cached on the object."""
    cached = getattr(meeting, "_present_ids", None)
    if cached is None:
        cached = set(meeting.members_present.values_list("pk", flat=True))
        meeting._present_ids = cached  # type: ignore[attr-defined]
    return cached


def is_present(meeting: Meeting, user: Any) -> bool:
    return user.pk in present_ids(meeting)


def require_may_take_part(user: Any, meeting: Meeting, application: Application) -> None:
    """A member takes part in an item (assesses it) only if present and not conflicted.

    The screens and the API ask this before they read the member's input; the service
    asks it again when it writes.
    """
    if not is_present(meeting, user):
        raise PermissionDenied(_("You are not registered as present at this meeting."))
    if is_conflicted(user, application):
        raise PermissionDenied(
            _("You are conflicted on %(case)s and take no part in it.")
            % {"case": application.case_number}
        )


def council_quorum(application: Application, meeting: Meeting) -> dict[str, Any]:
    """Is the council quorate on this item? Conflicted members do not count.

    Default: a majority of the council's non-conflicted members must be present;
    a municipality can set a fixed number instead (Municipality.council_quorum).
    """
    conflicted = conflicted_member_ids(application)
    members = set(
        StaffRole.objects.filter(
            municipality_id=application.municipality_id, role__in=COUNCIL_ROLES
        ).values_list("user_id", flat=True)
    )
    eligible = members - conflicted
    counted = present_ids(meeting) & eligible
    required = application.municipality.council_quorum or (len(eligible) // 2 + 1)
    return {
        "met": len(counted) >= required,
        "present": sorted(counted),
        "required": required,
        "conflicted": sorted(conflicted & present_ids(meeting)),
    }
