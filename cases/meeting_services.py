"""Preparing meetings: the case officer creates them and puts applications on the agenda."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from workflows import rules

from .models import AgendaItem, Application, ApplicationStatus, Body, GrantRound, Meeting, Role

# The state an application must be in to be treated by each body.
READY_FOR = {
    Body.COUNCIL: ApplicationStatus.IN_COUNCIL_REVIEW,
    Body.COMMITTEE: ApplicationStatus.RECOMMENDED,
}


def _require_case_officer(user: Any, grant_round: GrantRound) -> None:
    if not rules.profile(user).has_role(grant_round.municipality_id, Role.CASE_OFFICER):
        raise PermissionDenied(_("Only a case officer prepares meetings."))


def meeting_create(
    *,
    grant_round: GrantRound,
    body: str,
    date: datetime.date,
    members_present: Iterable[Any],
    acting_user: Any,
) -> Meeting:
    _require_case_officer(acting_user, grant_round)
    if body not in Body.values:
        raise ValidationError({"body": _("Choose the council or the committee.")})
    with transaction.atomic():
        meeting = Meeting(round=grant_round, body=body, date=date, created_by=acting_user)
        meeting._history_user = acting_user  # type: ignore[attr-defined]
        meeting.save()
        meeting.members_present.set(list(members_present))
    return meeting


def agenda_add(*, meeting: Meeting, applications: Iterable[Application], acting_user: Any) -> int:
    """Put applications on the agenda, in order; refuses any not in the state this body treats."""
    _require_case_officer(acting_user, meeting.round)
    wanted = READY_FOR[Body(meeting.body)]
    added = 0
    with transaction.atomic():
        position = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
        present = set(meeting.agenda_items.values_list("application_id", flat=True))
        for application in applications:
            if application.round_id != meeting.round_id or application.status != wanted:
                raise ValidationError(
                    _("%(case)s cannot go on this agenda: it is “%(status)s”.")
                    % {"case": application.case_number, "status": application.get_status_display()}
                )
            if application.pk in present:
                continue
            position += 1
            item = AgendaItem(meeting=meeting, application=application, position=position)
            item._history_user = acting_user  # type: ignore[attr-defined]
            item.save()
            added += 1
    return added


def agenda_add_all_ready(*, meeting: Meeting, acting_user: Any) -> int:
    """The one action: every application of the round in the state this body treats."""
    ready = Application.objects.filter(
        round_id=meeting.round_id, status=READY_FOR[Body(meeting.body)]
    ).order_by("submitted_at", "case_number")
    return agenda_add(meeting=meeting, applications=list(ready), acting_user=acting_user)
