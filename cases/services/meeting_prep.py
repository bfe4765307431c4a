"""Preparing a meeting on screen: who may see it, who sits on the body, changing date and members.

The services that create meetings and fill agendas live in ``meeting_services``; this
module adds what the screens need around them, in the same style (keyword-only
arguments, the acting user, PermissionDenied / ValidationError in words).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases import limits, roles
from cases.access import require_case_officer
from cases.compiled import Compiled
from cases.models import (
    Application,
    Assessment,
    Body,
    GrantRound,
    Meeting,
    Municipality,
    Role,
    StaffRole,
)
from cases.services.meetings import READY_FOR
from cases.trail.models import TransitionRecord

# The staff roles that make someone a member of each body.
BODY_ROLES: dict[str, tuple[str, ...]] = {
    Body.COUNCIL: (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR),
    Body.COMMITTEE: (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR),
}
# The transitions a body takes at a meeting, as recorded on the case's trail.
MEETING_TRANSITIONS = ("recommend", "decide", "send_back")


def body_name(municipality: Municipality, body: str) -> str:
    """What the municipality calls the body ("Frivillighedsrådet", "Kultur- og Fritidsudvalget")."""
    return municipality.council_name if body == Body.COUNCIL else municipality.committee_name


def meetings_of_round(grant_round: GrantRound) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(round=grant_round)
        .annotate(item_count=Count("agenda_items"))
        .order_by("date", "id")
    )


# Every page of a meeting reads it first: compiled once (cases/compiled.py).
MEETING = Compiled(
    lambda pk: Meeting.objects.select_related("round__municipality").filter(pk=pk), "pk"
)


def get_meeting_for_staff(user: Any, pk: int) -> Meeting:
    """A meeting of a municipality the user is staff in; 404 for everyone else."""
    found = MEETING.objects(pk=pk) if 0 < pk <= limits.MAX_ID else []
    if not found or found[0].round.municipality_id not in roles.profile(user).municipality_ids:
        raise Http404(_("No such meeting."))
    meeting: Meeting = found[0]
    return meeting


def body_member_roles(municipality_id: int, body: str | None = None) -> dict[int, list[str]]:
    """user id -> the roles that make them a member of the body (of either body if None)."""
    roles = BODY_ROLES[body] if body else BODY_ROLES[Body.COUNCIL] + BODY_ROLES[Body.COMMITTEE]
    result: dict[int, list[str]] = {}
    for user_id, role in StaffRole.objects.filter(
        municipality_id=municipality_id, role__in=roles
    ).values_list("user_id", "role"):
        result.setdefault(user_id, []).append(role)
    return {user_id: sorted(held, key=roles.index) for user_id, held in result.items()}


def body_members(municipality_id: int, body: str | None = None) -> QuerySet[Any]:
    """The users who sit on the body in the municipality (on either body if None)."""
    roles = BODY_ROLES[body] if body else BODY_ROLES[Body.COUNCIL] + BODY_ROLES[Body.COMMITTEE]
    return (
        get_user_model()
        .objects.filter(staff_roles__municipality_id=municipality_id, staff_roles__role__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def ready_applications(meeting: Meeting) -> QuerySet[Application]:
    """The round's applications in the state this body treats that are not on the agenda yet."""
    return (
        Application.objects.filter(round_id=meeting.round_id, status=READY_FOR[Body(meeting.body)])
        .exclude(agenda_items__meeting=meeting)
        .select_related("association")
        .order_by("submitted_at", "case_number")
    )


def members_who_acted(meeting: Meeting) -> set[int]:
    """Members whose assessments or recorded recommendations/decisions belong to this meeting."""
    acted = set(Assessment.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    records = TransitionRecord.objects.filter(
        flow="application",
        transition__in=MEETING_TRANSITIONS,
        application__agenda_items__meeting=meeting,
    ).values_list("actor_id", "payload")
    for actor_id, payload in records:
        if isinstance(payload, dict) and payload.get("meeting") == meeting.pk and actor_id:
            acted.add(actor_id)
    return acted


def meeting_update(
    *,
    meeting: Meeting,
    date: datetime.date,
    members_present: Iterable[Any],
    acting_user: Any,
) -> Meeting:
    """The case officer corrects the date or who is present.

    Only members of the meeting's body can be present. A member who has recorded an
    assessment, a recommendation or a decision at the meeting cannot be removed: the
    minutes would then show a member acting at a meeting they were not at.
    """
    require_case_officer(acting_user, meeting.round)
    members = list(members_present)
    allowed = body_member_roles(meeting.round.municipality_id, meeting.body)
    strangers = [m for m in members if m.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "members_present": _("%(names)s is not a member of %(body)s.")
                % {
                    "names": ", ".join(display(m) for m in strangers),
                    "body": body_name(meeting.round.municipality, meeting.body),
                }
            }
        )
    chosen = {m.pk for m in members}
    removed_actors = members_who_acted(meeting) - chosen
    if removed_actors:
        names = get_user_model().objects.filter(pk__in=removed_actors).order_by("username")
        raise ValidationError(
            {
                "members_present": _(
                    "%(names)s has recorded something at this meeting and stays on the list "
                    "of members present."
                )
                % {"names": ", ".join(display(u) for u in names)}
            }
        )
    with transaction.atomic():
        meeting.date = date
        meeting._history_user = acting_user  # type: ignore[attr-defined]
        meeting.save(update_fields=["date"])
        meeting.members_present.set(members)
    return meeting


def display(user: Any) -> str:
    """A person as the minutes name them: full name, or the user name if there is none."""
    return user.get_full_name() or user.get_username()
