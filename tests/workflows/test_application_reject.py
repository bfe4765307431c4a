"""reject: submitted → ineligible, by carl, always with reasons."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    declared_sources,
    not_permitted_message,
    not_possible_message,
    others,
    reach,
    snapshot,
    states_except,
)

REASON = "Foreningen driver erhvervsvirksomhed og er ikke frivilligt social arbejde."


def test_reject_starts_only_from_submitted() -> None:
    assert declared_sources("reject") == {S.SUBMITTED}


def test_carl_rejects_an_ineligible_application_with_reasons(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    rejected = perform(submitted, "reject", user=world.carl, reason=REASON)

    assert rejected.screening_note == REASON
    assert rejected.decided_at is not None
    assert_recorded(
        rejected,
        records_before=1,
        transition="reject",
        from_state=S.SUBMITTED,
        to_state=S.INELIGIBLE,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=REASON,
    )


@pytest.mark.parametrize("name", others("carl"))
def test_it_denies_rejection_to_everyone_but_the_case_officer(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(submitted, "reject", user=getattr(world, name), reason=REASON)

    assert caught.value.message == not_permitted_message("reject")
    assert snapshot(submitted) == before
    assert perform(submitted, "reject", user=world.carl, reason=REASON).status == S.INELIGIBLE


@pytest.mark.parametrize("status", states_except(S.SUBMITTED))
def test_it_refuses_rejection_in_any_state_but_submitted(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "reject", user=world.carl, reason=REASON)

    assert caught.value.message == not_possible_message("reject", status)
    assert snapshot(application) == before


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
