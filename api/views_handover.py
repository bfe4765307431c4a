"""Hand-overs through the API (issue 18, item 6): payment runs (list, start, read, the file)
and journalising a case now — the same rules and services as the screens
(``cases.handover``). A payout already in a run is a 409 naming the run."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, limits
from cases.handover import payments, permissions, runner
from cases.handover.journal import journal_enabled
from cases.models import Handover, PaymentRun, PaymentRunItem

from .errors import Conflict
from .parsers import JSONParser
from .serializers import Integer


class PaymentRunItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentRunItem
        fields = [
            "payout",
            "cvr",
            "association",
            "case_number",
            "amount",
            "paid_on",
            "reference",
            "account",
            "text",
        ]


class PaymentRunSerializer(serializers.ModelSerializer):
    items = PaymentRunItemSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = PaymentRun
        fields = [
            "id",
            "municipality",
            "target",
            "created_by",
            "created_at",
            "count",
            "total",
            "file_name",
            "sha256",
            "reference",
            "items",
        ]


class PaymentRunInputSerializer(serializers.Serializer):
    municipality = Integer(
        required=False,
        min_value=1,
        max_value=limits.MAX_INT,
        help_text="The municipality whose payouts are handed over; the first of the user's "
        "if left out.",
    )
    payouts = serializers.ListField(
        child=Integer(min_value=1, max_value=limits.MAX_INT),
        required=False,
        max_length=10_000,
        help_text="The payouts to hand over; every payout not yet in a run if left out.",
    )


class HandoverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Handover
        fields = ["kind", "object_id", "status", "reference", "sha256", "version", "handed_over_at"]


def _runs(user: Any) -> QuerySet[PaymentRun]:
    return (
        PaymentRun.objects.filter(municipality_id__in=permissions.run_municipalities(user))
        .select_related("created_by")
        .prefetch_related("items")
        .order_by("-created_at", "-pk")
    )


class PaymentRunList(generics.GenericAPIView):
    serializer_class = PaymentRunSerializer
    parser_classes = [JSONParser]

    @extend_schema(responses=PaymentRunSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The payment runs of the user's municipalities, newest first (case officers,
        managers and auditors; anyone else 403)."""
        if not permissions.run_municipalities(request.user):
            raise PermissionDenied(
                _("Payment runs are read by case officers, managers and auditors.")
            )
        page = self.paginate_queryset(_runs(request.user))
        return self.get_paginated_response(PaymentRunSerializer(page, many=True).data)

    @extend_schema(
        request=PaymentRunInputSerializer,
        responses={
            201: PaymentRunSerializer,
            409: OpenApiResponse(description="A payout is in a payment run already."),
        },
    )
    def post(self, request: Request) -> Response:
        """Start a payment run: the file goes to the finance system now. A payout already in a
        run is refused (409); no payouts to hand over is a 400."""
        allowed = permissions.run_municipalities(request.user, write=True)
        if not allowed:
            raise PermissionDenied(
                _("Only the municipality's case officers and managers start a payment run.")
            )
        data = PaymentRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data.get("municipality") or allowed[0]
        if wanted not in allowed:
            raise PermissionDenied(
                _("Only the municipality's case officers and managers start a payment run.")
            )
        try:
            run = payments.payment_run_create(
                municipality_id=wanted,
                acting_user=request.user,
                payout_ids=data.validated_data.get("payouts"),
            )
        except payments.PaymentRunConflict as conflict:
            raise Conflict(conflict.message) from conflict
        fresh = _runs(request.user).get(pk=run.pk)
        return Response(PaymentRunSerializer(fresh).data, status=status.HTTP_201_CREATED)


class PaymentRunDetail(APIView):
    @extend_schema(responses=PaymentRunSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One run with its payouts: 404 for another municipality's, 403 for staff who do not
        read runs."""
        run = permissions.get_run_for(request.user, pk)
        return Response(PaymentRunSerializer(_runs(request.user).get(pk=run.pk)).data)


class PaymentRunFile(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The run's payment file, the same bytes as handed over (the format: README,
        cases/handover/finance.py)."""
        run = permissions.get_run_for(request.user, pk)
        response = HttpResponse(run.content.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{run.file_name}"'
        return response


class ApplicationJournal(APIView):
    @extend_schema(request=None, responses=HandoverSerializer(many=True))
    def post(self, request: Request, pk: int) -> Response:
        """Hand the case and all its documents to the journal now (the municipality's case
        officers and managers); the hand-overs afterwards, the case first."""
        application = access.get_application_for(request.user, pk)
        permissions.require_may_journal(request.user, application)
        if not journal_enabled():
            raise ValidationError(_("Journalising is switched off (PULJEFLOW_JOURNAL=off)."))
        runner.journal_now(application=application, acting_user=request.user)
        rows = Handover.objects.filter(application=application).order_by("pk")
        ordered = sorted(rows, key=lambda r: (r.kind != "case", r.pk))
        return Response(HandoverSerializer(ordered, many=True).data)
