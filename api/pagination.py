"""Page-number pagination (count / next / previous / results) that refuses nonsense.

DRF quietly ignores a page size it cannot read; here a malformed ``page`` or
``page_size`` is a 400 with the field's message, so a client learns of its mistake.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .serializers import MAX_INT, Integer

MAX_PAGE_SIZE = 500


class PageSerializer(serializers.Serializer):
    page = Integer(required=False, min_value=1, max_value=MAX_INT)
    page_size = Integer(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


def check_query(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """Validate the query string: each parameter once, never empty."""
    errors: dict[str, list[str]] = {}
    fields = serializer_class().fields
    for key in fields:
        values = request.query_params.getlist(key)
        if len(values) > 1:
            errors[key] = [_("Give this parameter once.")]
        elif values and values[0] == "":
            errors[key] = [_("This parameter cannot be empty.")]
    if errors:
        raise serializers.ValidationError(errors)
    data = serializer_class(
        data={k: request.query_params[k] for k in fields if k in request.query_params}
    )
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        check_query(request, PageSerializer)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            limit = MAX_PAGE_SIZE if parameter["name"] == "page_size" else MAX_INT
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": limit}
        return parameters
