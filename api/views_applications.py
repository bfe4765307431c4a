"""Applications through the API: the same access helpers, services and flow as the screens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, roles, upload_quota
from cases.models import Application, Association, Attachment, FocusArea, Role
from cases.services import applications as services
from cases.trail.disclosure import disclosed_records
from cases.trail.models import TransitionRecord
from cases.uploads import check_upload
from workflows import engine

from . import transitions
from .errors import Conflict
from .pagination import check_query
from .parsers import JSONParser
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationFilterSerializer,
    ApplicationInputSerializer,
    ApplicationPatchSerializer,
    ApplicationSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    TrailRecordSerializer,
    TransitionSerializer,
)
from .views import rounds_for


def _with_relations(qs: QuerySet[Application]) -> QuerySet[Application]:
    # One query for the rows, one each for focus areas and budget lines, whatever the page size.
    return qs.select_related("round", "association").prefetch_related("focus_areas", "budget_lines")


def _detail(user: Any, pk: int) -> Application:
    application = (
        _with_relations(access.visible_applications(user))
        .prefetch_related("hearings__attachments")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404(_("No such application."))
    return application


def _focus_areas(grant_round_id: int, ids: list[int] | None) -> list[FocusArea] | None:
    if ids is None:
        return None
    found = list(FocusArea.objects.filter(round_id=grant_round_id, pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({"focus_areas": _("Choose focus areas of the application's round.")})
    return found


def _check_version(application: Application, seen: int | None) -> None:
    if seen is not None and seen != application.version:
        raise Conflict(
            _(
                "This case has moved on: someone else changed it while you were working on it. "
                "Fetch it again to see its current state."
            )
        )


class ApplicationList(generics.GenericAPIView):
    serializer_class = ApplicationSerializer

    @extend_schema(
        parameters=[ApplicationFilterSerializer],
        responses=ApplicationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """What the user may see: their associations' applications, or their municipality's."""
        criteria = check_query(request, ApplicationFilterSerializer)
        qs = _with_relations(access.visible_applications(request.user).filter(**criteria))
        page = self.paginate_queryset(qs.order_by("-created_at", "-pk"))
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def post(self, request: Request) -> Response:
        """Create a draft (or, for a case officer with ``received_at``, a paper application)."""
        user = request.user
        who = roles.profile(user)
        if not who.represents and not any(
            Role.CASE_OFFICER in roles for roles in who.roles.values()
        ):
            raise PermissionDenied(_("Only an association's representatives create applications."))
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        grant_round = rounds_for(user).filter(pk=values["round"]).first()
        if grant_round is None:
            raise ValidationError({"round": _("No such round.")})
        paper = "received_at" in values
        association = (
            Association.objects.filter(pk=values["association"]).first()
            if paper
            else Association.objects.filter(pk=values["association"], pk__in=who.represents).first()
        )
        if association is None:
            raise ValidationError({"association": _("Choose one of your associations.")})
        with transaction.atomic():
            application = services.application_create(
                grant_round=grant_round,
                association=association,
                acting_user=user,
                data=data.draft_data(),
                focus_areas=_focus_areas(grant_round.pk, values.get("focus_areas")) or (),
                received_at=values.get("received_at"),
            )
            if values.get("budget_lines"):
                services.budget_lines_replace(
                    application=application,
                    acting_user=user,
                    lines=[
                        (line["description"], line["amount"]) for line in values["budget_lines"]
                    ],
                )
        return Response(
            ApplicationSerializer(_detail(user, application.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ApplicationDetail(APIView):
    @extend_schema(responses=ApplicationDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ApplicationDetailSerializer(_detail(request.user, pk)).data)

    @extend_schema(request=ApplicationPatchSerializer, responses=ApplicationSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Change a draft, while the applicant (or, on paper, the case officer) may edit it."""
        application = access.get_application_for(request.user, pk, write=True)
        # Not partial=True: every field is optional already, and partial would also let
        # a budget line without its description through.
        data = ApplicationPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _check_version(application, values.get("version"))
        with transaction.atomic():
            services.application_update_draft(
                application=application,
                acting_user=request.user,
                data=data.draft_data(),
                focus_areas=_focus_areas(application.round_id, values.get("focus_areas")),
            )
            if "budget_lines" in values:
                services.budget_lines_replace(
                    application=application,
                    acting_user=request.user,
                    lines=[
                        (line["description"], line["amount"]) for line in values["budget_lines"]
                    ],
                )
        return Response(ApplicationSerializer(_detail(request.user, pk)).data)


class AttachmentList(generics.GenericAPIView):
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        application = access.get_application_for(request.user, pk)
        qs = Attachment.objects.filter(application=application).order_by("uploaded_at", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AttachmentSerializer(page, many=True).data)

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        application = access.get_application_for(request.user, pk, write=True)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            content_type = check_upload(upload)
            upload_quota.check_room(application, [upload.size])
            attachment = services.attachment_add(
                application=application,
                acting_user=request.user,
                kind=data.validated_data["kind"],
                upload=upload,
                content_type=content_type,
            )
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class TransitionList(APIView):
    @extend_schema(responses=TransitionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The transitions this user can take now (conditions are checked on the attempt)."""
        application = access.get_application_for(request.user, pk)
        available = engine.available_transitions(application, request.user)
        return Response(
            TransitionSerializer(
                [transitions.describe(t, application) for t in available], many=True
            ).data
        )


class TransitionTake(APIView):
    # JSON; multipart when the transition takes files (the usage report's attachments).
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request=transitions.TransitionInputSerializer,
        responses=ApplicationSerializer,
        parameters=[
            OpenApiParameter(
                "name",
                str,
                OpenApiParameter.PATH,
                enum=sorted(engine.TRANSITION_NAMES),
                description="The transition's stable identifier. Each application follows "
                "its round's flow (the round's `flow`): GET …/transitions lists what it "
                "offers now; a name of another flow is refused (403).",
            )
        ],
    )
    def post(self, request: Request, pk: int, name: str) -> Response:
        application = access.get_application_for(request.user, pk)
        if name not in engine.application_transition_names():
            raise Http404(_("No such action."))
        data = transitions.TransitionInputSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        engine.perform(
            application,
            name,
            user=request.user,
            seen_version=data.validated_data.get("version"),
            **transitions.transition_data(name, data.validated_data),
        )
        return Response(ApplicationSerializer(_detail(request.user, pk)).data)


class Trail(generics.GenericAPIView):
    serializer_class = TrailRecordSerializer

    @extend_schema(responses=TrailRecordSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The case's transition records, as the case page's timeline shows them to the caller."""
        application = access.get_application_for(request.user, pk)
        records = TransitionRecord.objects.filter(application=application).order_by("seq")
        page = self.paginate_queryset(disclosed_records(request.user, application, records))
        return self.get_paginated_response(TrailRecordSerializer(page, many=True).data)
