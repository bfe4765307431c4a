"""The register of requests for access to documents through the API: the screens' selectors,
service and transitions (workflows/access_request.py). Case officers write; auditors read; other staff and applicants get 403;
a request of another municipality is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import AccessRequest, Application, GrantRound
from cases.selectors import access_requests as selectors
from cases.services import access_requests as service
from cases.uploads import download_response
from workflows import engine
from workflows.access_request import AccessRequestFlow

from .serializers_access import (
    AccessDecideSerializer,
    AccessExtendSerializer,
    AccessHandOutSerializer,
    AccessRequestInputSerializer,
    AccessRequestSerializer,
)


def _shown(access_request: AccessRequest) -> dict[str, Any]:
    fresh = (
        AccessRequest.objects.prefetch_related("applications")
        .select_related("municipality")
        .get(pk=access_request.pk)
    )
    return dict(AccessRequestSerializer(fresh).data)


class AccessRequestList(generics.GenericAPIView):
    serializer_class = AccessRequestSerializer

    @extend_schema(responses=AccessRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The register of the user's municipalities, the nearest deadline first
        (case officers and auditors; anyone else 403)."""
        rows = selectors.access_requests_for(request.user).prefetch_related("applications")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AccessRequestSerializer(page, many=True).data)

    @extend_schema(request=AccessRequestInputSerializer, responses={201: AccessRequestSerializer})
    def post(self, request: Request) -> Response:
        """A case officer registers a request; the deadline is 7 working days after receipt."""
        municipalities = {m.pk: m for m in selectors.handler_municipalities(request.user)}
        if not municipalities:
            raise PermissionDenied(
                _("Only a case officer handles requests for access to documents.")
            )
        data = AccessRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        wanted = values.get("municipality") or next(iter(sorted(municipalities)))
        if wanted not in municipalities:
            raise ValidationError({"municipality": _("No such municipality.")})
        municipality = municipalities[wanted]
        ids = values.get("applications", [])
        applications = list(Application.objects.filter(pk__in=ids))
        if len(applications) != len(set(ids)):
            raise ValidationError({"applications": _("No such case.")})
        grant_round = None
        if values.get("round"):
            grant_round = GrantRound.objects.filter(pk=values["round"]).first()
            if grant_round is None:
                raise ValidationError({"round": _("No such round.")})
        access_request = service.access_request_register(
            municipality=municipality,
            acting_user=request.user,
            requester_name=values["requester_name"],
            requester_kind=values["requester_kind"],
            requester_email=values.get("requester_email", ""),
            requester_address=values.get("requester_address", ""),
            received_on=values["received_on"],
            scope=values["scope"],
            grant_round=grant_round,
            applications=applications,
            text=values["text"],
        )
        return Response(_shown(access_request), status=status.HTTP_201_CREATED)


class AccessRequestDetail(APIView):
    @extend_schema(responses=AccessRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One request, with its decision and the hash of the export handed out."""
        return Response(_shown(selectors.get_access_request_for(request.user, pk)))


class AccessRequestExtend(APIView):
    @extend_schema(request=AccessExtendSerializer, responses=AccessRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The decision cannot be made in time: why, and when it can be expected."""
        access_request = selectors.get_access_request_for(request.user, pk, write=True)
        data = AccessExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request = engine.take(
            AccessRequestFlow,
            access_request,
            "access_extend",
            user=request.user,
            until=data.validated_data["until"],
            reason=data.validated_data["reason"],
        )
        return Response(_shown(access_request))


class AccessRequestDecide(APIView):
    @extend_schema(request=AccessDecideSerializer, responses=AccessRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Full access, partial access or refusal; the last two with reasons and complaint
        guidance (blank: the municipality's text)."""
        access_request = selectors.get_access_request_for(request.user, pk, write=True)
        data = AccessDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        guidance = values.get("complaint_guidance", "").strip()
        access_request = engine.take(
            AccessRequestFlow,
            access_request,
            "access_decide",
            user=request.user,
            decision=values["decision"],
            reasons=values.get("reasons", ""),
            complaint_guidance=guidance or access_request.municipality.access_complaint_text(),
        )
        return Response(_shown(access_request))


class AccessRequestHandOut(APIView):
    @extend_schema(request=AccessHandOutSerializer, responses=AccessRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Make and store the export with the chosen redactions; its SHA-256 is recorded.
        Download it from ``/export``."""
        access_request = selectors.get_access_request_for(request.user, pk, write=True)
        data = AccessHandOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        access_request = engine.take(
            AccessRequestFlow,
            access_request,
            "access_hand_out",
            user=request.user,
            declarations=values["declarations"],
            contact_details=values["contact_details"],
            items=[dict(item) for item in values["items"]],
        )
        return Response(_shown(access_request))


class AccessRequestExport(APIView):
    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ZIP handed out"
            )
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        """The export handed out, as stored (its SHA-256 is in the request's detail)."""
        access_request = selectors.get_access_request_for(request.user, pk)
        if not access_request.export:
            raise Http404(_("Nothing has been handed out on this request yet."))
        return download_response(
            access_request.export.open("rb"),
            f"aktindsigt-{access_request.pk}.zip",
            "application/zip",
        )
