"""reject: submitted → ineligible, by carl, always with reasons."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Role
from workflows.engine import perform

from ..conftest import NO_HEARING, NO_HEARING_RECORDED
from .support import (
    S,
    assert_recorded,
    reach,
    snapshot,
)

REASON = "Foreningen driver erhvervsvirksomhed og er ikke frivilligt social arbejde."


def test_carl_rejects_an_ineligible_application_with_reasons(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    rejected = perform(submitted, "reject", user=world.carl, reason=REASON, **NO_HEARING)

    assert rejected.screening_note == REASON
    assert rejected.decided_at is not None
    letter = rejected.documents.get()  # the rejection's letter (tests/cases/documents)
    assert_recorded(
        rejected,
        records_before=1,
        transition="reject",
        from_state=S.SUBMITTED,
        to_state=S.INELIGIBLE,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=REASON,
        payload={"letter": letter.pk, "hearing": NO_HEARING_RECORDED},
    )


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": ""}, {"reason": "  "}, {"reason": 42}],
    ids=["missing", "empty", "blank", "not-text"],
)
def test_it_refuses_rejection_without_reasons(
    world: SimpleNamespace, draft: Application, data: dict[str, Any]
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(submitted, "reject", user=world.carl, **data)

    assert caught.value.errors == {
        "reason": ["Give the reasons why the application is ineligible."]
    }
    assert snapshot(submitted) == before


@pytest.mark.parametrize(("name", "field"), [("reject", "reason"), ("request_info", "question")])
def test_a_text_beyond_the_limit_is_refused_next_to_its_field(
    world: SimpleNamespace, draft: Application, name: str, field: str
) -> None:
    """Every transition text is bounded by its input form (the screens and the API alike)."""
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(submitted, name, user=world.carl, **{field: "x" * 20_001})

    assert list(caught.value.errors) == [field]
    assert "at most 20000 characters" in caught.value.errors[field][0]
    assert snapshot(submitted) == before
    perform(submitted, name, user=world.carl, **{field: "x" * 20_000}, **NO_HEARING)
