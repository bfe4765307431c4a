"""A sweep's batch rendering (``reminders.rendering.BatchRenderer``) gives, for every
kind and both languages, exactly the text of rendering each message on its own
(``services.render``), while rendering each template once per shape."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Application
from notifications.models import Kind
from notifications.reminders.rendering import BatchRenderer
from notifications.reminders.rules import NOT_ABOUT_ONE_APPLICATION
from notifications.services import render

from ..factories import ApplicationFactory, AssociationFactory
from .test_templates import CONTEXT

LANGUAGES = ["da", "en"]
# The kinds a sweep writes: each must be batch-rendered, none left to one-by-one.
REMINDER_KINDS = {
    Kind.DEADLINE_APPROACHING,
    Kind.INFO_UNANSWERED,
    Kind.ASSESSMENTS_MISSING,
    Kind.AGENDA_READY,
    Kind.REPORT_DUE,
    Kind.REPORT_OVERDUE,
    Kind.REPORT_OVERDUE_STAFF,
    Kind.WAITING_DIGEST,
    Kind.ACCESS_DEADLINE,
    Kind.DRAFT_EXPIRING,
    Kind.HEARING_REMINDER,
}
# Per-message strings that must come through as typed in the text and escaped in HTML.
AWKWARD = ["Børn & <unge> \"Café\" 'x'", "Line one\nline two", "%(title)s {{ x }} 100 %"]


def applications(world: SimpleNamespace) -> list[Application]:
    """Three applications of one round, with awkward titles, one from another association."""
    other = AssociationFactory(name="Søs & Co <Fritid>")
    result = []
    for i, title in enumerate(AWKWARD):
        application = ApplicationFactory(
            round=world.round, association=world.a if i < 2 else other, title=title
        )
        result.append(
            Application.objects.select_related("round", "association", "municipality").get(
                pk=application.pk
            )
        )
    return result


def compare(renderer: BatchRenderer, kind: str, contexts: list[dict[str, Any]]) -> None:
    for language in LANGUAGES:
        for context in contexts:
            expected = render(kind, language, context)
            assert renderer.render(kind, language, dict(context)) == expected, (language, context)


@pytest.mark.parametrize("kind", [k for k in Kind if k not in NOT_ABOUT_ONE_APPLICATION])
def test_every_kind_about_an_application_renders_as_one_by_one(
    world: SimpleNamespace, kind: str
) -> None:
    renderer = BatchRenderer()
    contexts = [
        {**CONTEXT, "application": application, "recipient_name": name, "recipient": None}
        for application in applications(world)
        for name in ("Anna", "", "Bo & <Co>")
    ]
    contexts += [
        {**contexts[0], "granted": False, "amount": Decimal("0"), "reasons": "", "weeks": 3},
        {**contexts[1], "deadline": timezone.now(), "reference": ""},
        {**contexts[2], "url": "https://puljeflow.example/sager/1?a=1&b=2"},
    ]

    compare(renderer, kind, contexts)

    if kind in REMINDER_KINDS:
        assert renderer.direct == 0
        # Shared shapes: fewer skeletons than messages (two languages, three names,
        # an empty name and the variations above are shapes of their own).
        assert renderer.skeletons < renderer.filled


@pytest.mark.parametrize("kind", sorted(NOT_ABOUT_ONE_APPLICATION))
def test_meeting_and_digest_messages_render_as_one_by_one(
    world: SimpleNamespace, draft: Application, kind: str
) -> None:
    tz = timezone.get_current_timezone()
    apps = applications(world)
    renderer = BatchRenderer()
    base = {
        "municipality": world.roskilde,
        "body_name": "Frivillighedsrådet & <Co>",
        "meeting": SimpleNamespace(date=date(2027, 2, 1)),
        "items": 3,
        "target_days": 14,
        "total": 51,
        "more": 50,
        "access_request": SimpleNamespace(number="AI-1 & 2", subject="Aktindsigt <x>"),
        "deadline": date(2027, 2, 3),
        "today": False,
        "application": None,
        # feedback_summary (issue 20): the year's summary to an association.
        "summary": SimpleNamespace(year=2026, text="Tak for svarene & <jeres> ris og ros."),
        "average_ease": "3,7",
        "summary_url": "",
    }
    contexts = [
        {
            **base,
            "missing": apps[:n],
            "rows": [
                {"application": a, "since": datetime(2027, 1, 2 + i, 10, 0, tzinfo=tz), "days": 30}
                for i, a in enumerate(apps[:n])
            ],
            "recipient_name": name,
            "recipient": None,
            "answered": n,
        }
        for n in (1, 3)
        for name in ("Carl", "Sofie & <Co>", "")
    ]
    contexts.append({**contexts[0], "today": True, "more": 0})

    compare(renderer, kind, contexts)

    assert renderer.direct == 0 and renderer.skeletons < renderer.filled


def test_a_string_the_template_compares_is_part_of_the_shape_not_a_hole(
    world: SimpleNamespace,
) -> None:
    # hearing_ended branches on ``outcome == "expired"``: a hole there would always take
    # the other branch. The renderer notices the comparison and keys on the value.
    renderer = BatchRenderer()
    application = applications(world)[0]
    contexts = [
        {**CONTEXT, "application": application, "recipient_name": "Anna", "outcome": outcome}
        for outcome in ("expired", "answered", "expired", "answered")
    ]

    compare(renderer, Kind.HEARING_ENDED, contexts)

    assert renderer.direct == 0 and renderer.skeletons == 4  # 2 outcomes x 2 languages
