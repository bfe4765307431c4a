"""Every error is a JSON body: ``{"detail": "…"}`` or ``{"field": ["message", …]}``.

The flow's errors carry their own HTTP status (cases/errors.py), Django's
PermissionDenied / Http404 / ValidationError from the services map to 403 / 404 /
400, so the API answers exactly as the screens decide.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from cases.errors import InvalidInput, TransitionError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("detail" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {"detail": [str(m) for m in error.messages]}


def _flat(body: dict[str, list[str]]) -> dict[str, Any]:
    # A non-field error reads as {"detail": "…"}; field errors stay lists.
    if list(body) == ["detail"]:
        return {"detail": " ".join(body["detail"])}
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InvalidInput):
        body: dict[str, Any] = exc.errors or {"detail": exc.message}
        return Response(body, status=400)
    if isinstance(exc, TransitionError):
        return Response({"detail": exc.message}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(_flat(validation_errors(exc)), status=400)
    if isinstance(exc, RequestDataTooBig):  # the body beyond DATA_UPLOAD_MAX_MEMORY_SIZE
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": _("The request body is larger than %(limit)d bytes.") % {"limit": limit}},
            status=413,
        )
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or _("Not found.")}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or _("You may not do this.")}, status=403)
    response = drf_handler(exc, context)
    if response is not None:
        response.data = _shape(response.data)
    return response


def _messages(value: Any, prefix: str = "") -> list[str]:
    """Nested serializer errors (a list's item, an object's field) as plain messages."""
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _messages(v, f"{prefix}{k}: ")]
    if isinstance(value, list):
        found: list[str] = []
        for index, item in enumerate(value):
            inner = f"{prefix}{index + 1}: " if isinstance(item, dict | list) else prefix
            found += _messages(item, inner)
        return found
    return [f"{prefix}{value}"]


def _shape(data: Any) -> dict[str, Any]:
    """``{"detail": "…"}`` or ``{"field": ["message", …]}``, whatever DRF produced."""
    if isinstance(data, list):
        return {"detail": " ".join(_messages(data))}
    if not isinstance(data, dict):
        return {"detail": str(data)}
    if "detail" in data and not isinstance(data["detail"], list | dict):
        return {"detail": str(data["detail"])}
    shaped: dict[str, Any] = {}
    for key, value in data.items():
        messages = _messages(value)
        if key in ("detail", "non_field_errors"):
            shaped["detail"] = " ".join(messages)
        else:
            shaped[key] = messages
    return shaped


# --- the error bodies, for the OpenAPI description -------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FieldErrorsSerializer(serializers.Serializer):
    """``{"detail": "…"}`` for a refused condition, or ``{"<field>": ["message"]}`` per field."""

    detail = serializers.CharField(required=False)

    class Meta:
        ref_name = "FieldErrors"
