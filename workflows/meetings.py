"""What the council's and the committee's transitions need to know about their meeting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from cases.errors import ConditionsUnmet, InvalidInput
from cases.models import Application, Body, Meeting, StatusGroup
from cases.permissions import present_ids


def meeting_for(application: Application, body: str, meeting: Any = None) -> Meeting:
    """The meeting the decision is taken at: the one given, or the latest with the case on its agenda."""
    qs = Meeting.objects.filter(
        round_id=application.round_id, body=body, agenda_items__application=application
    )
    if meeting not in (None, ""):
        meeting_id = str(getattr(meeting, "pk", meeting))
        found = qs.filter(pk=int(meeting_id)).first() if meeting_id.isdigit() else None
        if found is None:
            raise InvalidInput(
                {"meeting": [_("The application is not on the agenda of that meeting.")]}
            )
        return found
    found = qs.order_by("-date", "-pk").first()
    if found is None:
        name = (
            application.municipality.council_name
            if body == Body.COUNCIL
            else application.municipality.committee_name
        )
        raise ConditionsUnmet(
            _("The application is not on the agenda of a meeting of %(body)s.") % {"body": name}
        )
    return found


def require_present(meeting: Meeting, user: Any) -> None:
    if user.pk not in present_ids(meeting):
        raise ConditionsUnmet(
            _("You are not registered as present at the meeting of %(date)s.")
            % {"date": meeting.date.strftime("%d.%m.%Y")}
        )


def granted_in_round(application: Application) -> Decimal:
    """What the round has granted so far, this application excluded."""
    total = (
        Application.objects.filter(round_id=application.round_id, status__in=StatusGroup.GRANTED)
        .exclude(pk=application.pk)
        .aggregate(total=Sum("granted_amount"))["total"]
    )
    return total or Decimal("0")
