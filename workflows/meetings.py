"""What the council's and the committee's transitions need to know about their meeting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from viewflow import fsm

from cases.compiled import Compiled
from cases.errors import ConditionsUnmet, InvalidInput
from cases.models import Application, Body, Meeting, StatusGroup
from cases.models.hearings import standing
from cases.parsing import parse_id
from cases.permissions import present_ids
from workflows.flow import condition


def _on_agenda(application: Application, body: str) -> Any:
    return Meeting.objects.filter(
        round_id=application.round_id, body=body, agenda_items__application=application
    )


def _latest_held(body: str) -> Compiled:
    return Compiled(
        lambda round, application, today: Meeting.objects.filter(
            round_id=round, body=body, agenda_items__application_id=application, date__lte=today
        ).order_by("-date", "-pk")[:1],
        "round",
        "application",
        dates=("today",),
    )


# Read by every recommendation and decision: compiled once per body (cases/compiled.py).
HELD = {body: _latest_held(body) for body in Body.values}


def latest_meeting(application: Application, body: str) -> Meeting | None:
    """The meeting a decision is taken at by default: the latest held (its day has come) with
    the case on its agenda; if none has been held yet, the next one (which refuses, by date)."""
    held = HELD[body].objects(
        round=application.round_id, application=application.pk, today=timezone.localdate()
    )
    if held:
        return held[0]
    return _on_agenda(application, body).order_by("date", "pk").first()


def not_on_agenda(application: Application, body: str) -> str:
    name = body_name(application, body)
    return _("The application is not on the agenda of a meeting of %(body)s.") % {"body": name}


def meeting_for(application: Application, body: str, meeting: Any = None) -> Meeting:
    """The meeting the decision is taken at: the one given, or the latest with the case on its agenda."""
    if meeting not in (None, ""):
        meeting_id = parse_id(getattr(meeting, "pk", meeting))
        qs = _on_agenda(application, body)
        found = qs.filter(pk=meeting_id).first() if meeting_id is not None else None
        if found is None:
            raise InvalidInput(
                {"meeting": [_("The application is not on the agenda of that meeting.")]}
            )
        return found
    latest = latest_meeting(application, body)
    if latest is None:
        raise ConditionsUnmet(not_on_agenda(application, body))
    return latest


def not_present(meeting: Meeting, user: Any) -> str:
    """Why ``user`` cannot act at ``meeting`` ("" when they are registered as present)."""
    if user is not None and user.pk in present_ids(meeting):
        return ""
    return _("You are not registered as present at the meeting of %(date)s.") % {
        "date": meeting.date.strftime("%d.%m.%Y")
    }


def require_present(meeting: Meeting, user: Any) -> None:
    message = not_present(meeting, user)
    if message:
        raise ConditionsUnmet(message)


def not_quorate(quorum: dict[str, Any], body: str = Body.COUNCIL, name: str = "") -> str:
    """Why the body cannot recommend or decide (``permissions.meeting_quorum``), or ""."""
    if quorum["met"]:
        return ""
    numbers = {"present": len(quorum["present"]), "required": quorum["required"]}
    if body == Body.COUNCIL:
        return (
            _(
                "The council is not quorate on this application: %(present)s of the "
                "%(required)s non-conflicted members needed are present."
            )
            % numbers
        )
    return _(
        "%(body)s is not quorate on this application: %(present)s of the %(required)s "
        "members who are not disqualified needed are present. It cannot decide."
    ) % {**numbers, "body": name or _("The committee")}


def not_yet_held(meeting: Meeting) -> str:
    """Why nothing can be recorded at ``meeting`` yet ("" once its day has come).

    A decision carries the meeting's date: recorded before that day, it would claim to
    have been taken at a meeting that had not been held. The day is Danish local time.
    """
    if meeting.date <= timezone.localdate():
        return ""
    return _(
        "The meeting is on %(date)s. Its decisions can be recorded from that day, not before."
    ) % {"date": formats.date_format(meeting.date, "DATE_FORMAT")}


def meeting_problem(flow: Any, meeting: Meeting) -> str:
    """What stops ``flow``'s actor from recording at ``meeting``: its date, their presence,
    the quorum ("" when nothing does). For a meeting other than the default one."""
    body = meeting.body
    return (
        not_yet_held(meeting)
        or not_present(meeting, flow.actor)
        or not_quorate(flow.quorum(meeting), body, body_name(flow.application, body))
    )


def body_name(application: Application, body: str) -> str:
    municipality = application.municipality
    return municipality.council_name if body == Body.COUNCIL else municipality.committee_name


# --- conditions of recommend and decide: (flow) -> State.CONDITION --------------------
#
# The meeting conditions look at the meeting a decision is taken at by default (the
# latest with the case on its agenda): a condition cannot see the meeting the user
# picks. A transition given another meeting checks that one itself (``_held_at``).


def _listed(flow: Any, body: str) -> fsm.State.CONDITION:
    if flow.latest_meeting(body) is None:
        return fsm.State.CONDITION(False, not_on_agenda(flow.application, body))
    return fsm.State.CONDITION(True)


def _present(flow: Any, body: str) -> fsm.State.CONDITION:
    meeting = flow.latest_meeting(body)
    message = not_present(meeting, flow.actor) if meeting else ""
    return fsm.State.CONDITION(not message, message)


@condition
def on_council_agenda(flow: Any) -> fsm.State.CONDITION:
    return _listed(flow, Body.COUNCIL)


@condition
def present_at_council(flow: Any) -> fsm.State.CONDITION:
    return _present(flow, Body.COUNCIL)


@condition
def council_is_quorate(flow: Any) -> fsm.State.CONDITION:
    meeting = flow.latest_meeting(Body.COUNCIL)
    message = not_quorate(flow.quorum(meeting)) if meeting else ""
    return fsm.State.CONDITION(not message, message)


@condition
def on_committee_agenda(flow: Any) -> fsm.State.CONDITION:
    return _listed(flow, Body.COMMITTEE)


@condition
def present_at_committee(flow: Any) -> fsm.State.CONDITION:
    return _present(flow, Body.COMMITTEE)


def _held(flow: Any, body: str) -> fsm.State.CONDITION:
    meeting = flow.latest_meeting(body)
    message = not_yet_held(meeting) if meeting else ""
    return fsm.State.CONDITION(not message, message)


@condition
def council_meeting_held(flow: Any) -> fsm.State.CONDITION:
    return _held(flow, Body.COUNCIL)


@condition
def committee_meeting_held(flow: Any) -> fsm.State.CONDITION:
    return _held(flow, Body.COMMITTEE)


@condition
def committee_is_quorate(flow: Any) -> fsm.State.CONDITION:
    meeting = flow.latest_meeting(Body.COMMITTEE)
    message = (
        not_quorate(
            flow.quorum(meeting), Body.COMMITTEE, body_name(flow.application, Body.COMMITTEE)
        )
        if meeting
        else ""
    )
    return fsm.State.CONDITION(not message, message)


def _granted(round: int, application: int) -> QuerySet[Any]:
    # A granted case heard on its usage report stands granted (``standing``). Grouped by
    # the one round it reads: an aggregate as a row, so it can be compiled once.
    return (
        Application.objects.filter(round_id=round)
        .annotate(standing=standing())
        .filter(standing__in=StatusGroup.GRANTED)
        .exclude(pk=application)
        .order_by()
        .values("round_id")
        .annotate(total=Sum("granted_amount"))
        .values_list("total")
    )


# Read by every decision that spends from the pool: compiled once (cases/compiled.py).
GRANTED = Compiled(_granted, "round", "application")


def granted_in_round(application: Application) -> Decimal:
    """What the round has granted so far, this application excluded."""
    rows = GRANTED.rows(round=application.round_id, application=application.pk)
    return (rows[0][0] if rows else None) or Decimal("0")
