"""Meetings and the council through the API: the screens' access helpers and services.

A meeting outside the user's municipality is a 404 (``get_meeting_for_staff``); the
agenda and minutes are built by ``cases.documents.meetings`` exactly as on paper.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, permissions, roles
from cases.documents import meetings as meeting_documents
from cases.models import Application, ConflictDeclaration, Meeting, Role
from cases.selectors.council import (
    BODY_ROLES,
    COUNCIL_ROLES,
    agenda_application,
    get_council_meeting_for,
)
from cases.services import meeting_prep
from cases.services import meetings as meeting_services
from cases.services.meeting_inputs import MeetingInput
from cases.services.meeting_prep import display

from .serializers_meetings import (
    AgendaItemInputSerializer,
    AgendaSerializer,
    AssessmentInputSerializer,
    AssessmentSerializer,
    ConflictInputSerializer,
    ConflictSerializer,
    MeetingInputSerializer,
    MeetingSummarySerializer,
    MinutesSerializer,
    RulingInputSerializer,
)


def _case_officer_somewhere(user: Any) -> None:
    # Before the input is read; which municipality's case officer is checked with the round.
    if not any(Role.CASE_OFFICER in roles for roles in roles.profile(user).roles.values()):
        raise PermissionDenied(_("Only a case officer prepares meetings."))


class MeetingList(generics.GenericAPIView):
    serializer_class = MeetingSummarySerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        return (
            Meeting.objects.filter(
                round__municipality_id__in=roles.profile(self.request.user).municipality_ids
            )
            .annotate(item_count=Count("agenda_items"))
            .prefetch_related("members_present")
            .order_by("-date", "-pk")
        )

    @extend_schema(responses=MeetingSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        """The meetings of the user's municipalities (staff only; others get an empty list)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSummarySerializer(page, many=True).data)

    @extend_schema(request=MeetingInputSerializer, responses={201: AgendaSerializer})
    def post(self, request: Request) -> Response:
        """A case officer creates a council or committee meeting with the members present."""
        _case_officer_somewhere(request.user)
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        grant_round = (
            access.staff_rounds(request.user)
            .select_related("municipality")
            .filter(pk=values["round"])
            .first()
        )
        if grant_round is None:
            raise ValidationError({"round": _("No such round.")})
        access.require_case_officer(request.user, grant_round)
        # The screen's form: the same rule that only the body's members can be present.
        form = MeetingInput(
            data={
                "body": values["body"],
                "date": values["date"].isoformat(),
                "members_present": [str(pk) for pk in values.get("members_present", [])],
            },
            municipality=grant_round.municipality,
        )
        if not form.is_valid():
            raise ValidationError({f: [str(m) for m in ms] for f, ms in form.errors.items()})
        meeting = meeting_services.meeting_create(
            grant_round=grant_round,
            body=form.cleaned_data["body"],
            date=form.cleaned_data["date"],
            members_present=form.cleaned_data["members_present"],
            acting_user=request.user,
        )
        meeting = meeting_prep.get_meeting_for_staff(request.user, meeting.pk)
        return Response(agenda(meeting), status=status.HTTP_201_CREATED)


def _member(user: Any, roles: list[str]) -> dict[str, Any]:
    return {"id": user.pk, "name": display(user), "roles": list(roles)}


def _item(row: Any) -> dict[str, Any]:
    application = row.application
    return {
        "number": row.number,
        "application": {
            "id": application.pk,
            "case_number": application.case_number,
            "title": application.title,
            "association": {"id": application.association_id, "name": application.association.name},
            "status": application.status,
            "amount_requested": application.amount_requested,
            "recommendation_outcome": application.recommendation_outcome,
            "recommended_amount": application.recommended_amount,
            "granted_amount": application.granted_amount,
            "focus_areas": [f.name for f in row.focus_areas],
        },
        "conflicts": [
            {
                "member": c.member.pk,
                "source": c.source,
                "reason": c.reason,
                "ruling": c.ruling,
                "present": c.present,
                "excludes": c.excludes,
            }
            for c in row.conflicts
        ],
        "recused": [m.pk for m in row.left],
        "criteria": [summary.as_dict() for summary in row.criteria],
        "quorum": row.quorum,
    }


def _vote(payload: Any) -> dict[str, Any]:
    """The vote, minority statement and decision date a record carries (workflows/votes.py)."""
    payload = payload if isinstance(payload, dict) else {}
    vote = payload.get("vote")
    return {
        "vote": vote if isinstance(vote, dict) else None,
        "minority": payload.get("minority", ""),
        "decision_date": payload.get("decision_date"),
    }


def _header(context: dict[str, Any]) -> dict[str, Any]:
    meeting = context["meeting"]
    return {
        "id": meeting.pk,
        "round": meeting.round_id,
        "body": meeting.body,
        "body_name": context["body_name"],
        "date": meeting.date,
        "present": [_member(u, roles) for u, roles in context["present"]],
        "absent": [_member(u, roles) for u, roles in context["absent"]],
        "quorate": not context["not_quorate"],
    }


def agenda(meeting: Meeting) -> dict[str, Any]:
    context = meeting_documents.agenda_context(meeting)
    body = {
        **_header(context),
        "items": [_item(row) for row in context["rows"]],
        "totals": context["totals"],
    }
    return AgendaSerializer(body).data


class MeetingDetail(APIView):
    @extend_schema(responses=AgendaSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The agenda (dagsorden): the items in order, conflicts, totals against the pool."""
        return Response(agenda(meeting_prep.get_meeting_for_staff(request.user, pk)))


class MeetingMinutes(APIView):
    @extend_schema(responses=MinutesSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The minutes (referat): what was recommended or decided at the meeting, and by whom."""
        meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
        context = meeting_documents.minutes_context(meeting)
        items = []
        for row in context["rows"]:
            items.append(
                {
                    **_item(row),
                    "actions": [
                        {
                            "transition": a.record.transition,
                            "heading": a.heading,
                            "outcome": a.outcome_label,
                            "amount": a.amount,
                            "reasons": a.reasons,
                            **_vote(a.record.payload),
                            "at": a.record.created_at,
                            "actor_name": a.record.actor_name,
                            "criteria": a.criteria,
                        }
                        for a in row.actions
                    ],
                    "assessments": [{"label": label, "count": n} for label, n in row.assessments],
                }
            )
        body = {
            **_header(context),
            "items": items,
            "totals": context["totals"],
            "dealt_with": context["dealt_with"],
        }
        return Response(MinutesSerializer(body).data)


class MeetingItems(APIView):
    @extend_schema(request=AgendaItemInputSerializer, responses={201: AgendaSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """A case officer puts an application of the meeting's round on its agenda."""
        meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
        access.require_case_officer(request.user, meeting.round)
        data = AgendaItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = Application.objects.filter(
            pk=data.validated_data["application"], round_id=meeting.round_id
        ).first()
        if application is None:
            raise ValidationError({"application": _("No such application in this round.")})
        meeting_services.agenda_add(
            meeting=meeting, applications=[application], acting_user=request.user
        )
        return Response(agenda(meeting), status=status.HTTP_201_CREATED)


class Conflicts(APIView):
    @extend_schema(request=ConflictInputSerializer, responses={201: ConflictSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """A council or committee member declares a tie to the applying association (fvl. § 3)."""
        application = access.get_application_for(request.user, pk)
        # Refused before the input is read, as on the screen; the service checks it again.
        if not roles.profile(request.user).has_role(application.municipality_id, *BODY_ROLES):
            raise PermissionDenied(
                _("Only members of the council or the committee declare conflicts.")
            )
        data = ConflictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        declaration = meeting_services.conflict_declare(
            application=application, member=request.user, reason=data.validated_data["reason"]
        )
        return Response(ConflictSerializer(declaration).data, status=status.HTTP_201_CREATED)


class ConflictRulingView(APIView):
    @extend_schema(request=RulingInputSerializer, responses=ConflictSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The chair of the declaring member's body rules on a declared tie (fvl. § 3)."""
        declaration = (
            ConflictDeclaration.objects.select_related("application__municipality")
            .filter(pk=pk, application__in=access.visible_applications(request.user))
            .first()
        )
        if declaration is None:
            raise Http404(_("No such declaration."))
        # As on the screen: refused before the input is read; the service asks again.
        permissions.require_may_rule(request.user, declaration)
        data = RulingInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        meeting_services.conflict_rule(
            declaration=declaration,
            acting_user=request.user,
            conflicted=data.validated_data["conflicted"],
            reason=data.validated_data["reason"],
        )
        return Response(ConflictSerializer(declaration).data)


class Assessments(APIView):
    @extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """A present, non-conflicted council member records their assessment of one item."""
        application = access.get_application_for(request.user, pk)
        if not roles.profile(request.user).has_role(application.municipality_id, *COUNCIL_ROLES):
            raise PermissionDenied(_("Only council members record assessments."))
        data = AssessmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            meeting = get_council_meeting_for(request.user, values["meeting"], roles=COUNCIL_ROLES)
            agenda_application(meeting, application.pk)
        except Http404:
            raise ValidationError(
                {"meeting": _("The application is not on the agenda of that council meeting.")}
            ) from None
        # As on the screen: refused before the input is looked at.
        permissions.require_may_take_part(request.user, meeting, application)
        try:
            assessment = meeting_services.assessment_record(
                meeting=meeting,
                application=application,
                member=request.user,
                outcome=values["outcome"],
                amount=values.get("amount"),
                comment=values.get("comment", ""),
                criteria=_criterion_values(values.get("criteria")),
            )
        except ValidationError as error:
            raise _criteria_errors(error) from None
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


def _criterion_values(items: list[dict[str, Any]] | None) -> dict[int, Any] | None:
    """The API's list of values as the service reads them: criterion id -> score or verdict
    (neither: not assessed). Both for one criterion, or one criterion twice, is refused."""
    if items is None:
        return None
    values: dict[int, Any] = {}
    for item in items:
        score, verdict = item.get("score"), item.get("verdict") or ""
        if score is not None and verdict:
            raise ValidationError(
                {
                    "criteria": [
                        _("Give criterion %(id)s a score or a verdict, not both.")
                        % {"id": item["criterion"]}
                    ]
                }
            )
        if item["criterion"] in values:
            raise ValidationError(
                {"criteria": [_("Criterion %(id)s is given twice.") % {"id": item["criterion"]}]}
            )
        values[item["criterion"]] = score if score is not None else verdict
    return values


def _criteria_errors(error: ValidationError) -> ValidationError:
    """The service names a criterion's field as the screen has it (criterion_<id>); the
    API's field is ``criteria``, and each message names the criterion."""
    if not hasattr(error, "error_dict"):
        return error
    shaped: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        key = "criteria" if field.startswith("criterion_") else field
        shaped.setdefault(key, []).extend(messages)
    return ValidationError(shaped)
