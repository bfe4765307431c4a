"""A draft read through the API says what submitting still needs, as the review page does
(issue 17): the same submit rule (cases/completeness.py), field by field; nothing once
submitted."""

from __future__ import annotations

from typing import Any

from django.utils.translation import override

from cases.completeness import missing
from cases.models import Application, BudgetLine
from tests.conftest import advance
from tests.factories import ApplicationFactory

BASE = "/api/v1"


def test_a_draft_lists_what_submitting_needs_and_a_submitted_case_nothing(
    world: Any, api: Any
) -> None:
    draft = ApplicationFactory(round=world.round, association=world.a, purpose="")
    BudgetLine.objects.filter(application=draft).delete()
    anna = api(world.anna)

    body = anna.get(f"{BASE}/applications/{draft.pk}", HTTP_ACCEPT_LANGUAGE="da").json()

    fields = [m["field"] for m in body["missing"]]
    assert "purpose" in fields and "budget_lines" in fields and "focus_areas" in fields
    with override("da"):
        expected = [m.message for m in missing(Application.objects.get(pk=draft.pk))]
    assert [m["message"] for m in body["missing"]] == expected

    other = ApplicationFactory(round=world.round, association=world.a)
    other.focus_areas.set([world.focus])
    submitted = advance(other, world, "submitted")
    assert anna.get(f"{BASE}/applications/{submitted.pk}").json()["missing"] == []
