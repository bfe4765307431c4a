"""An association's own entry in a municipality's directory (issue 20, item 4), for its
representatives' own systems: the same service and rule as the screens
(cases/services/directory.py, cases/permissions/directory.py). Anyone else gets a 404.
What is published is read by anyone from the open data (/<municipality>/foreninger.json).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import limits
from cases.models import DirectoryEntry, Municipality, TargetGroupCode
from cases.permissions import directory as rules
from cases.selectors import directory as selectors
from cases.services import directory as services
from cases.validators import validate_phone


def _phone(value: str) -> None:
    if value:
        validate_phone(value)


class DirectoryEntrySerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=limits.TEXT, help_text="What the association does (required)."
    )
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroupCode.choices),
        required=False,
        default=list,
        help_text="Target group codes (docs/open-data.md).",
    )
    focus_areas = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        help_text="Names of the municipality's focus areas.",
    )
    whole_municipality = serializers.BooleanField(required=False, default=True)
    area = serializers.CharField(
        max_length=limits.SHORT_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when whole_municipality is false.",
    )
    seeks_volunteers = serializers.BooleanField(required=False, default=False)
    volunteers_text = serializers.CharField(
        max_length=limits.TEXT, required=False, allow_blank=True, default=""
    )
    website = serializers.URLField(required=False, allow_blank=True, default="")
    contact_email = serializers.EmailField(
        required=False, allow_blank=True, default="", help_text="Public: shown to everyone."
    )
    contact_phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        validators=[_phone],
        help_text="Public: shown to everyone.",
    )
    published = serializers.BooleanField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("whole_municipality", True) and not attrs.get("area", "").strip():
            raise serializers.ValidationError(
                {"area": _("Write where you work, or tick »We work in the whole municipality«.")}
            )
        allowed = set(self.context.get("focus_area_names", []))
        unknown = [n for n in attrs.get("focus_areas", []) if n not in allowed]
        if unknown:
            raise serializers.ValidationError(
                {
                    "focus_areas": _("Not a focus area of the municipality: %(names)s")
                    % {"names": ", ".join(unknown)}
                }
            )
        return attrs


def _shown(entry: DirectoryEntry | None) -> dict[str, Any]:
    if entry is None:  # never listed: an empty, unpublished entry
        return {
            "description": "",
            "target_groups": [],
            "focus_areas": [],
            "whole_municipality": True,
            "area": "",
            "seeks_volunteers": False,
            "volunteers_text": "",
            "website": "",
            "contact_email": "",
            "contact_phone": "",
            "published": False,
            "published_at": None,
            "withdrawn_at": None,
        }
    plain = {name: getattr(entry, name) for name in services.TEXT_FIELDS}
    return {
        **plain,
        "target_groups": [g.code for g in entry.target_groups.all()],
        "focus_areas": [f.name for f in entry.focus_areas.all()],
        "published": entry.published,
        "published_at": entry.published_at,
        "withdrawn_at": entry.withdrawn_at,
    }


_DETAIL = inline_serializer("DirectoryError", fields={"detail": serializers.CharField()})


class DirectoryEntryView(APIView):
    parser_classes = [JSONParser]

    def _place(self, request: Request, pk: int, slug: str) -> Any:
        association = rules.get_association_to_list(request.user, pk)
        place = get_object_or_404(Municipality, slug=slug)
        return association, place, selectors.own_entry(association.pk, place)

    @extend_schema(
        responses={
            200: DirectoryEntrySerializer,
            404: OpenApiResponse(_DETAIL, description="Not an association you represent."),
        }
    )
    def get(self, request: Request, pk: int, slug: str) -> Response:
        """The association's entry in the municipality's directory; ``published`` false and
        empty texts when it has never been listed."""
        _association, _place, entry = self._place(request, pk, slug)
        return Response(_shown(entry))

    @extend_schema(
        request=DirectoryEntrySerializer,
        responses={
            200: DirectoryEntrySerializer,
            400: OpenApiResponse(description="A field is not valid: its name and the message."),
            404: OpenApiResponse(_DETAIL, description="Not an association you represent."),
        },
    )
    def put(self, request: Request, pk: int, slug: str) -> Response:
        """Publish the entry with these fields, at once (a new entry, a change, or listed
        again after a withdrawal)."""
        association, place, entry = self._place(request, pk, slug)
        names = set(selectors.focus_area_names(place))
        if entry is not None:
            names |= {f.name for f in entry.focus_areas.all()}
        serializer = DirectoryEntrySerializer(
            data=request.data, context={"focus_area_names": names}
        )
        serializer.is_valid(raise_exception=True)
        services.directory_entry_publish(
            association=association,
            municipality=place,
            acting_user=request.user,
            data=dict(serializer.validated_data),
        )
        return Response(_shown(selectors.own_entry(association.pk, place)))

    @extend_schema(
        responses={
            200: DirectoryEntrySerializer,
            404: OpenApiResponse(_DETAIL, description="Not an association you represent."),
            409: OpenApiResponse(_DETAIL, description="The association is not listed."),
        }
    )
    def delete(self, request: Request, pk: int, slug: str) -> Response:
        """Withdraw the entry from every public page and file, at once; its texts are kept."""
        association, place, entry = self._place(request, pk, slug)
        if entry is None or not entry.published:
            return Response({"detail": str(_("You are not listed in the directory."))}, 409)
        services.directory_entry_withdraw(entry=entry, acting_user=request.user)
        return Response(_shown(selectors.own_entry(association.pk, place)))
