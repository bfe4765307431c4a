"""The flow's transitions as the API offers them: generic over the fields each declares.

A transition lists its input in ``custom["fields"]`` (workflows/application.py); the
API describes and accepts exactly those, so a field added to the flow appears here
without a change. Values are only checked for shape (so that nothing a client sends
can crash the database); the flow method itself validates them and words the errors.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cases.models.after_grant import ReportAttachmentKind
from workflows.engine import transitions_of
from workflows.inputs import OUTCOMES

from .serializers import MAX_INT, Boolean, Integer, Text

# A field's kind, by its stable name; anything else is text.
FIELD_TYPES = {
    "amount": "decimal",
    "amount_spent": "decimal",
    "unspent_amount": "decimal",
    "meeting": "integer",
    "participants_reached": "integer",
    "volunteers_involved": "integer",
    "paid_on": "date",
    "repayment_due": "date",
    "confirm_overrun": "boolean",
    "declaration_on_honour": "boolean",
    "outcome": "choice",
    "lines": "lines",
    "attachments": "files",
}
# A "files" field arrives as one multipart file part per kind: ``attachment_<kind>``.
FILE_KINDS = {"attachments": list(ReportAttachmentKind.values)}


def declared_fields(name: str) -> tuple[str, ...]:
    transitions = transitions_of().get(name) or []
    return tuple(transitions[0].custom.get("fields", ())) if transitions else ()


def field_type(field: str) -> str:
    return FIELD_TYPES.get(field, "text")


def _choices(name: str, field: str) -> list[str]:
    if field_type(field) == "choice":
        return [value for value, _label in OUTCOMES.get(name, OUTCOMES["decide"])]
    return list(FILE_KINDS.get(field, []))


def describe(transition: Any) -> dict[str, Any]:
    name = transition.slug
    return {
        "name": name,
        "label": str(transition.label),
        "fields": [
            {
                "name": field,
                "type": field_type(field),
                "choices": _choices(name, field),
            }
            for field in declared_fields(name)
        ],
    }


class ReportLineSerializer(serializers.Serializer):
    """One line of a usage report: spent against a budget line of the application, or a new one."""

    budget_line = Integer(required=False, allow_null=True, min_value=1, max_value=MAX_INT)
    description = Text(required=False, allow_blank=True, max_length=200)
    spent = Text(max_length=40, help_text='Amount in DKK, e.g. "12500.00".')


class JSONListField(serializers.ListField):
    """A JSON array; in a multipart request, the array written as a JSON string."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist"):  # multipart / form: one part holding the JSON
            return dictionary.get(self.field_name, serializers.empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Send a JSON array.")) from None
        return super().to_internal_value(data)


def _input_field(kind: str) -> serializers.Field:
    if kind == "lines":
        return JSONListField(child=ReportLineSerializer(), required=False, max_length=200)
    if kind == "integer":
        return Integer(required=False, allow_null=True, min_value=-MAX_INT, max_value=MAX_INT)
    if kind == "date":
        return serializers.DateField(required=False, allow_null=True)
    if kind == "boolean":
        return Boolean(required=False)
    # Text, amounts and choices reach the flow as written, so its own messages answer.
    return Text(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=20000
    )


def _all_fields() -> list[str]:
    names: list[str] = []
    for transitions in transitions_of().values():
        for field in transitions[0].custom.get("fields", ()):
            if field not in names:
                names.append(field)
    return names


def _serializer_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for field in _all_fields():
        if field_type(field) == "files":
            for kind in FILE_KINDS.get(field, []):
                fields[f"attachment_{kind}"] = serializers.FileField(
                    required=False, help_text=f"A file for {field} of kind “{kind}” (multipart)."
                )
        else:
            fields[field] = _input_field(field_type(field))
    return fields


TransitionInputSerializer = type(
    "TransitionInputSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The fields a transition declares (see GET …/transitions); others are ignored.",
        **_serializer_fields(),
        "version": Integer(
            required=False,
            min_value=0,
            max_value=MAX_INT,
            help_text="The version you last saw; 409 if the application has moved on since.",
        ),
    },
)


def transition_data(name: str, validated: dict[str, Any]) -> dict[str, Any]:
    """The values for ``engine.perform``: only the transition's fields, empty ones left out."""
    fields = declared_fields(name)
    data = {k: v for k, v in validated.items() if k in fields and v not in (None, "")}
    for field in fields:
        if field_type(field) == "files":
            data[field] = [
                (kind, validated[f"attachment_{kind}"])
                for kind in FILE_KINDS.get(field, [])
                if validated.get(f"attachment_{kind}") is not None
            ]
    return data
