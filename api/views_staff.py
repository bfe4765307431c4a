"""Assigning a case to a case officer through the API (issue 17): the same rule and
service as the case page (``workflows.assignment``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, limits, permissions
from workflows import assignment

from .parsers import JSONParser
from .serializers import ApplicationSerializer, Integer


class AssignInputSerializer(serializers.Serializer):
    case_officer = Integer(
        allow_null=True,
        min_value=1,
        max_value=limits.MAX_INT,
        help_text="The user id of a case officer of the case's municipality; null: nobody.",
    )


class ApplicationAssign(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=AssignInputSerializer, responses={200: ApplicationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Assign the case to a case officer of its municipality (or to nobody). Only the
        municipality's case officers assign; recorded in the case's trail."""
        application = access.get_application_for(request.user, pk)
        permissions.require_may_assign(request.user, application)
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        officer_id = data.validated_data["case_officer"]
        officer = None
        if officer_id is not None:
            officer = get_user_model().objects.filter(pk=officer_id).first()
            if officer is None:
                raise ValidationError({"case_officer": _("No such user.")})
        assignment.assign_case(
            application=application, acting_user=request.user, case_officer=officer
        )
        fresh = (
            type(application)
            .objects.select_related("round", "association")
            .prefetch_related("focus_areas", "budget_lines")
            .get(pk=application.pk)
        )
        return Response(ApplicationSerializer(fresh).data)
