"""Disqualification of everyone who acts on a case (forvaltningsloven § 3): what a
disqualified person is told, and whether a case waits because everyone who could act
next is disqualified. Who is disqualified is ``permissions.conflicted_member_ids``."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from cases import roles
from cases.models import (
    Application,
    AssociationMember,
    ConflictDeclaration,
    ConflictRuling,
    Role,
    StaffRole,
)
from cases.permissions import (
    ACTING_ROLES,
    DISQUALIFYING_TIE,
    conflicted_member_ids,
    is_conflicted,
)

# --- disqualification of everyone who acts on a case (forvaltningsloven § 3) ----------------

# Who must act next on a case in each state, when it is not the association.
ACTS_NEXT = {
    "submitted": Role.CASE_OFFICER,
    "in_council_review": Role.COUNCIL_CHAIR,
    "recommended": Role.COMMITTEE_CHAIR,
    "granted": Role.CASE_OFFICER,
    "report_submitted": Role.CASE_OFFICER,
}


def disqualified_message(role: str) -> str:
    """What a disqualified person is told when a transition refuses them, per role."""
    messages: dict[str, str] = {
        Role.CASE_OFFICER: _(
            "You are disqualified in this case (forvaltningsloven § 3); "
            "another case officer must act."
        ),
        Role.COUNCIL_CHAIR: _(
            "You are disqualified in this case (forvaltningsloven § 3); "
            "another chair of the council must act."
        ),
        Role.COMMITTEE_CHAIR: _(
            "You are disqualified in this case (forvaltningsloven § 3); "
            "another chair of the committee must act."
        ),
    }
    return messages.get(
        role,
        _("You are disqualified in this case (forvaltningsloven § 3); another person must act."),
    )


def waiting_message(role: str) -> str:
    """What the case page and the inbox show when everyone who could act next is disqualified."""
    messages: dict[str, str] = {
        Role.CASE_OFFICER: _("Waiting: the case officer is disqualified"),
        Role.COUNCIL_CHAIR: _("Waiting: the council's chair is disqualified"),
        Role.COMMITTEE_CHAIR: _("Waiting: the committee's chair is disqualified"),
    }
    return messages.get(role, "")


def free_to_act(role: str) -> Exists:
    """SQL: is there someone in ``role`` in the application's municipality who is not
    disqualified on it? For annotating a list of applications (no query per row). The
    same rule as ``conflicted_member_ids``: ties always, declarations until ruled no
    conflict."""
    tied = AssociationMember.objects.filter(
        DISQUALIFYING_TIE, association_id=OuterRef(OuterRef("association_id"))
    ).values("user_id")
    declared = (
        ConflictDeclaration.objects.filter(application_id=OuterRef(OuterRef("pk")))
        .exclude(ruling=ConflictRuling.NOT_CONFLICTED)
        .values("member_id")
    )
    return Exists(
        StaffRole.objects.filter(municipality_id=OuterRef("municipality_id"), role=role)
        .exclude(user_id__in=tied)
        .exclude(user_id__in=declared)
    )


def with_waiting(queryset: Any) -> Any:
    """Annotate applications with whether each acting role has someone free to act."""
    return queryset.annotate(
        **{f"free_{role}": free_to_act(role) for role in set(ACTS_NEXT.values())}
    )


def waiting_reason(application: Application) -> str:
    """ "Waiting: …" when everyone who could act next on the case is disqualified, else "".

    Reads the annotation of ``with_waiting`` when present (lists), otherwise asks (one query).
    """
    role = ACTS_NEXT.get(application.status)
    if role is None:
        return ""
    free = getattr(application, f"free_{role}", None)
    if free is None:
        ids = set(
            StaffRole.objects.filter(
                municipality_id=application.municipality_id, role=role
            ).values_list("user_id", flat=True)
        )
        free = bool(ids - conflicted_member_ids(application))
    return "" if free else waiting_message(role)


def disqualification_refusal(user: Any, application: Application) -> str:
    """Why ``user`` may not handle this case ("" when they may): for the case page."""
    if not is_conflicted(user, application):
        return ""
    who = roles.profile(user)
    for role in (Role.CASE_OFFICER, Role.COUNCIL_CHAIR, Role.COMMITTEE_CHAIR):
        if who.has_role(application.municipality_id, role):
            return disqualified_message(role)
    if who.has_role(application.municipality_id, *ACTING_ROLES):
        return disqualified_message("")
    return ""
