"""A CVR lookup for the municipality's case officers (issue 18): what the register says about
a CVR number, through the same ``cases.registers.cvr.lookup`` as the screens."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Association
from cases.permissions import associations as rules
from cases.registers import cvr as register
from cases.validators import validate_cvr


class CvrCompanySerializer(serializers.Serializer):
    cvr = serializers.CharField(help_text="The CVR number: 8 digits.")
    name = serializers.CharField(help_text="The newest name in the register.")
    address = serializers.CharField(
        help_text="Road, number and letter, floor and door (»Algade 1, 2. tv«); may be empty."
    )
    postal_code = serializers.CharField(help_text="4 digits; may be empty.")
    city = serializers.CharField(help_text="The post district; may be empty.")
    association = serializers.IntegerField(
        allow_null=True,
        help_text="The id of the association already registered with this CVR number; null.",
    )


_DETAIL = inline_serializer("CvrError", fields={"detail": serializers.CharField()})


class CvrLookup(APIView):
    @extend_schema(
        responses={
            200: CvrCompanySerializer,
            400: OpenApiResponse(_DETAIL, description="Not a valid CVR number."),
            403: OpenApiResponse(_DETAIL, description="Only case officers look up."),
            404: OpenApiResponse(_DETAIL, description="The register has no such company."),
            503: OpenApiResponse(_DETAIL, description="The register cannot be asked now."),
        }
    )
    def get(self, request: Request, cvr: str) -> Response:
        """The name and address the CVR register holds for a CVR number. For case officers,
        before registering an association; ``detail`` says why when there is no answer."""
        rules.require_registrar(request.user)
        validate_cvr(cvr)  # 400 with the message the screens give
        try:
            company = register.lookup(cvr)
        except register.CvrNotFound as error:
            return Response({"detail": str(error)}, status=404)
        except register.CvrUnavailable as error:
            return Response({"detail": str(error)}, status=503)
        existing = Association.objects.filter(cvr=cvr).values_list("pk", flat=True).first()
        return Response(
            CvrCompanySerializer(
                {
                    "cvr": company.cvr,
                    "name": company.name,
                    "address": company.address,
                    "postal_code": company.postal_code,
                    "city": company.city,
                    "association": existing,
                }
            ).data
        )
