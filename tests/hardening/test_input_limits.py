"""One input policy: every text a person or a client can send has a limit, taken from
``cases/limits.py`` — in the models, the screens' forms, the transitions' inputs and the
API's serializers alike. A new field without one fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import models
from rest_framework import serializers

import web
from api import serializers as api_serializers
from api import serializers_access, serializers_meetings, transitions
from api.pagination import PageSerializer
from cases import limits
from cases.parsing import date_window, parse_int
from cases.services import meeting_inputs
from workflows import engine

OUR_APPS = {"accounts", "api", "cases", "notifications", "workflows"}

# Texts the system writes itself, never typed by anyone; each bounded by what it is made of.
WRITTEN_BY_THE_SYSTEM = {
    ("cases", "document", "html"): "a letter, agenda or minutes rendered from bounded fields",
    ("notifications", "notification", "body_text"): "a template filled with bounded fields",
    ("notifications", "notification", "body_html"): "a template filled with bounded fields",
    ("notifications", "notification", "last_error"): "the mail server's answer",
    ("cases", "transitionrecord", "reason"): "copied from a transition's bounded input",
}

# The serializers that read a request (the others only write responses).
INPUT_SERIALIZERS = [
    api_serializers.ApplicationInputSerializer,
    api_serializers.ApplicationPatchSerializer,
    api_serializers.ApplicationFilterSerializer,
    api_serializers.AttachmentUploadSerializer,
    api_serializers.TokenInputSerializer,
    serializers_meetings.ConflictInputSerializer,
    serializers_meetings.AssessmentInputSerializer,
    serializers_meetings.MeetingInputSerializer,
    serializers_meetings.AgendaItemInputSerializer,
    transitions.TransitionInputSerializer,
    PageSerializer,
    serializers_access.AccessRequestInputSerializer,
    serializers_access.AccessExtendSerializer,
    serializers_access.AccessDecideSerializer,
    serializers_access.AccessHandOutSerializer,
]


def _model_texts() -> list[tuple[str, str, str, Any]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        name = model._meta.model_name.removeprefix("historical")
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField):
                found.append((model._meta.app_label, name, field.name, field))
    return found


def test_every_text_column_has_a_limit() -> None:
    unbounded = [
        f"{app}.{model}.{name}"
        for app, model, name, field in _model_texts()
        if field.max_length is None and (app, model, name) not in WRITTEN_BY_THE_SYSTEM
    ]
    assert unbounded == []


def test_the_exceptions_are_real_columns() -> None:
    """An exception that no longer names a column is dropped, not left to cover a new one."""
    columns = {(app, model, name) for app, model, name, _field in _model_texts()}
    assert set(WRITTEN_BY_THE_SYSTEM) <= columns


def _screen_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    modules = [meeting_inputs]
    for info in pkgutil.walk_packages(web.__path__, "web."):
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    for name in engine.transitions_of():
        form = engine.input_form(name)
        found[f"{form.__module__}.{form.__qualname__}"] = form
    return list(found.values())


def test_the_walk_finds_the_forms_it_should() -> None:
    names = {form.__name__ for form in _screen_forms()}
    assert {"ApplicationForm", "DeclareConflictForm", "MeetingInput", "CodeForm"} <= names
    assert {"WithdrawInput", "PayInput", "SubmitReportInput"} <= names


# Django's AuthenticationForm gives the username its limit (the user model's) in __init__.
LIMITED_AT_INIT = {"web.accounts.forms.LoginForm.username"}


def test_every_text_field_of_every_form_has_a_limit() -> None:
    unbounded = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in _screen_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert set(unbounded) == LIMITED_AT_INIT


def test_the_sign_in_form_limits_the_username_when_it_is_made() -> None:
    from web.accounts.forms import LoginForm

    assert LoginForm().fields["username"].max_length == 150


def _serializer_texts(serializer: serializers.Serializer, prefix: str) -> list[tuple[str, Any]]:
    found = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        inner = field.child if isinstance(field, serializers.ListField) else field
        inner = inner.child if isinstance(inner, serializers.ListSerializer) else inner
        if isinstance(inner, serializers.Serializer):
            found += _serializer_texts(inner, f"{prefix}.{name}")
        elif isinstance(inner, serializers.CharField):
            found.append((f"{prefix}.{name}", inner))
    return found


@pytest.mark.parametrize("serializer_class", INPUT_SERIALIZERS, ids=lambda c: c.__name__)
def test_every_text_the_api_reads_has_a_limit(serializer_class: Any) -> None:
    texts = _serializer_texts(serializer_class(), serializer_class.__name__)
    assert [name for name, field in texts if field.max_length is None] == []


def test_the_screen_and_the_api_agree_on_a_case_text() -> None:
    """The draft's texts: the model, the screen's form and the API take the same limit."""
    from web.applications.forms import ApplicationForm

    api_fields = api_serializers.ApplicationInputSerializer().fields
    for name in ("purpose", "target_group", "activity_description", "other_funding_note"):
        assert ApplicationForm.base_fields[name].max_length == limits.TEXT  # type: ignore[attr-defined]
        assert api_fields[name].max_length == limits.TEXT
        assert (
            apps.get_model("cases", "Application")._meta.get_field(name).max_length == limits.TEXT
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        (42, 42),
        ("0", 0),
        ("²", None),
        ("١٢", None),
        ("４２", None),
        ("7" * 5000, None),
        ("9" * 19, None),
        (str(limits.MAX_INT + 1), None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (True, None),
        (1.0, None),
        ([1], None),
    ],
)
def test_parse_int_takes_ascii_digits_in_range_only(value: Any, expected: int | None) -> None:
    assert parse_int(value) == expected


def test_parse_int_takes_a_sign_and_bounds_when_asked() -> None:
    assert parse_int("-5", signed=True, minimum=None) == -5
    assert parse_int("-5", signed=True) is None  # below the default minimum 0
    assert parse_int("5", minimum=6) is None
    assert parse_int("5", maximum=4) is None


def test_the_date_window_runs_from_2000_to_ten_years_ahead() -> None:
    import datetime

    assert date_window(datetime.date(2026, 12, 4)) == (
        datetime.date(2000, 1, 1),
        datetime.date(2036, 12, 4),
    )
    assert date_window(datetime.date(2028, 2, 29))[1] == datetime.date(2038, 2, 28)
