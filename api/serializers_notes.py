"""File notes and documents received, in and out of the API (cases/services/case_notes.py,
case_documents.py). Times are ISO 8601 in Europe/Copenhagen local time."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases import limits
from cases.models import NoteConcerns
from cases.parsing import validate_date_window
from cases.services.case_documents import REGISTERED_VIA

from .serializers import MAX_INT, Boolean, Integer, Text


class LocalDateTime(serializers.DateTimeField):
    def to_representation(self, value: Any) -> Any:
        from django.utils import timezone

        return super().to_representation(timezone.localtime(value))


class FileNoteSerializer(serializers.Serializer):
    id = Integer()
    text = Text()
    concerns = Text(help_text="phone, meeting, email, other, or empty")
    occurred_on = serializers.DateField()
    visible_to_applicant = Boolean()
    corrects = Integer(source="corrects_id", allow_null=True, help_text="The note this corrects")
    author_name = Text()
    role = Text()
    created_at = LocalDateTime()


class FileNoteInputSerializer(serializers.Serializer):
    text = Text(max_length=limits.TEXT, help_text="What was said, or what was learnt.")
    concerns = serializers.ChoiceField(
        choices=[*NoteConcerns.values, ""], required=False, allow_blank=True
    )
    occurred_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_date_window],
        help_text="YYYY-MM-DD; today if left out; never in the future.",
    )
    visible_to_applicant = Boolean(required=False, default=False)
    corrects = Integer(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_INT,
        help_text="The id of the note on this case that this note corrects.",
    )


class ReceivedDocumentSerializer(serializers.Serializer):
    id = Integer()
    name = Text(source="original_name")
    size = Integer()
    content_type = Text()
    sha256 = Text()
    received_via = Text()
    received_on = serializers.DateField()
    description = Text()
    registered_at = LocalDateTime(source="uploaded_at")


class ReceivedDocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    received_via = serializers.ChoiceField(choices=[value for value, _label in REGISTERED_VIA])
    received_on = serializers.DateField(
        validators=[validate_date_window], help_text="YYYY-MM-DD; never in the future."
    )
    description = Text(max_length=limits.TEXT, help_text="What the document is and who sent it.")
