"""The flow's transitions as the API offers them: derived from each transition's form.

Each transition declares its input as one form beside its method (workflows/); the
API describes and accepts exactly those fields, each typed by its form field's class,
so a field added to a form appears here without a change. Here values are checked
for shape only, strictly (a number where text belongs is a 400, not quietly "5");
the form then validates them when the transition runs, and the flow words the errors.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from cases import limits
from cases.models.after_grant import ReportAttachmentKind
from cases.parsing import validate_date_window
from workflows.engine import (
    application_flows,
    application_transition_names,
    flow_for,
    input_form,
    transitions_of,
)
from workflows.flow import Flow
from workflows.inputs import DocumentFiles, ReportFiles, ReportLines

from . import parsers
from .serializers import MAX_INT, Boolean, Integer, Text

# A "files" field arrives as one multipart file part per kind: ``attachment_<kind>``.
FILE_KINDS = list(ReportAttachmentKind.values)


def field_type(field: forms.Field) -> str:
    """The kind of a form field, as GET …/transitions names it (and the schema types it)."""
    if isinstance(field, ReportLines):
        return "lines"
    if isinstance(field, ReportFiles):
        return "files"
    if isinstance(field, DocumentFiles):
        return "documents"  # one multipart part per file, all under the field's name
    if isinstance(field, forms.DecimalField):  # workflows.inputs.Amount among them
        return "decimal"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "integers"  # criteria are chosen by their ids
    if isinstance(field, forms.IntegerField | forms.ModelChoiceField):
        return "integer"  # a meeting is chosen by its id
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    return "text"


def _choices(field: forms.Field) -> list[str]:
    kind = field_type(field)
    if kind == "integers":  # the ids this case offers (none in the schema, made for no case)
        return [str(pk) for pk in field.queryset.values_list("pk", flat=True)]  # type: ignore[attr-defined]
    if kind == "choice":
        return [str(value) for value, _label in field.choices]  # type: ignore[attr-defined]
    if kind == "files":
        return list(FILE_KINDS)
    return []


def _flow_with(name: str) -> type[Flow] | None:
    """The first application flow that has transition ``name`` (its form is every flow's)."""
    return next((f for f in application_flows().values() if name in transitions_of(f)), None)


def input_fields(name: str, flow_class: type[Flow] | None = None) -> dict[str, forms.Field]:
    flow_class = flow_class or _flow_with(name)
    if flow_class is None or name not in transitions_of(flow_class):
        return {}
    return dict(input_form(name, flow_class).base_fields)


def describe(transition: Any, application: Any = None) -> dict[str, Any]:
    """A transition's fields; for ``application``, a choice of rows lists the ids it offers
    (the form of the application's own flow, ``engine.flow_for``)."""
    fields = input_fields(transition.slug)
    if application is not None:
        flow_class = flow_for(application)
        if transition.slug in transitions_of(flow_class):
            form = input_form(transition.slug, flow_class)
            fields = dict(form(flow=flow_class(application)).fields)
    return {
        "name": transition.slug,
        "label": str(transition.label),
        "fields": [
            {"name": field_name, "type": field_type(field), "choices": _choices(field)}
            for field_name, field in fields.items()
        ],
    }


class ReportLineSerializer(serializers.Serializer):
    """One line of a usage report: spent against a budget line of the application, or a new one."""

    budget_line = Integer(required=False, allow_null=True, min_value=1, max_value=MAX_INT)
    description = Text(required=False, allow_blank=True, max_length=limits.SHORT_TEXT)
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
                parsers.check_depth(data)  # json.loads recurses: depth first
            except ParseError as error:
                raise serializers.ValidationError(error.detail) from None
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Send a JSON array.")) from None
        return super().to_internal_value(data)


def _text(**schema: Any) -> serializers.Field:
    """Text that reaches the flow as written, so its own messages answer; typed in the schema."""
    options = {"required": False, "allow_null": True, "allow_blank": True}
    field_class: type[Text] = Text
    if schema:
        field_class = extend_schema_field({"type": "string", "nullable": True, **schema})(
            type("SchemaText", (Text,), {})
        )
    return field_class(**options, trim_whitespace=False, max_length=limits.TEXT)


def _input_field(field: forms.Field, choices: list[str]) -> serializers.Field:
    kind = field_type(field)
    if kind == "lines":
        return JSONListField(child=ReportLineSerializer(), required=False, max_length=200)
    if kind == "documents":
        # Multipart: one part per file, each named after the field ("documents").
        return serializers.ListField(
            child=serializers.FileField(),
            required=False,
            max_length=DocumentFiles.MAX_FILES,
            help_text="Documents sent with the answer (multipart, one part per file).",
        )
    if kind == "integer":
        return Integer(required=False, allow_null=True, min_value=-MAX_INT, max_value=MAX_INT)
    if kind == "integers":
        return serializers.ListField(
            child=Integer(min_value=-MAX_INT, max_value=MAX_INT),
            required=False,
            allow_null=True,
            max_length=100,
            help_text="Ids, e.g. of the round's criteria (see GET /rounds/{id}).",
        )
    if kind == "date":
        return serializers.DateField(
            required=False, allow_null=True, validators=[validate_date_window]
        )
    if kind == "boolean":
        return Boolean(required=False)
    if kind == "decimal":
        return _text(format="decimal", example="25000.00")
    if kind == "choice":
        return _text(enum=[*choices, "", None])
    return _text()


def _serializer_fields() -> dict[str, serializers.Field]:
    """Every flow's transitions' fields, once each; a choice offers what any of its forms
    offers."""
    found: dict[str, forms.Field] = {}
    choices: dict[str, list[str]] = {}
    for name in sorted(application_transition_names()):
        for field_name, field in input_fields(name).items():
            found.setdefault(field_name, field)
            for choice in _choices(field):
                if choice not in choices.setdefault(field_name, []):
                    choices[field_name].append(choice)
    fields: dict[str, serializers.Field] = {}
    for field_name, field in found.items():
        if field_type(field) == "files":
            for kind in FILE_KINDS:
                fields[f"attachment_{kind}"] = serializers.FileField(
                    required=False,
                    help_text=f"A file for {field_name} of kind “{kind}” (multipart).",
                )
        else:
            fields[field_name] = _input_field(field, choices.get(field_name, []))
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
    fields = input_fields(name)
    data = {k: v for k, v in validated.items() if k in fields and v not in (None, "")}
    for field_name, field in fields.items():
        if field_type(field) == "files":
            data[field_name] = [
                (kind, validated[f"attachment_{kind}"])
                for kind in FILE_KINDS
                if validated.get(f"attachment_{kind}") is not None
            ]
    return data
