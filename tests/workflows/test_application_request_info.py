"""request_info: submitted → info_requested, by carl; the question goes to the association."""

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

QUESTION = "Hvor mange frivillige er med om ugen?"


def test_request_info_starts_only_from_submitted() -> None:
    assert declared_sources("request_info") == {S.SUBMITTED}


def test_carl_asks_the_association_a_question(world: SimpleNamespace, draft: Application) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    asked = perform(submitted, "request_info", user=world.carl, question=f"  {QUESTION}\n")

    assert asked.open_question == QUESTION
    assert_recorded(
        asked,
        records_before=1,
        transition="request_info",
        from_state=S.SUBMITTED,
        to_state=S.INFO_REQUESTED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=QUESTION,
    )


@pytest.mark.parametrize("name", others("carl"))
def test_it_denies_requesting_information_to_everyone_but_the_case_officer(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(submitted, "request_info", user=getattr(world, name), question=QUESTION)

    assert caught.value.message == not_permitted_message("request_info")
    assert snapshot(submitted) == before
    asked = perform(submitted, "request_info", user=world.carl, question=QUESTION)
    assert asked.status == S.INFO_REQUESTED


@pytest.mark.parametrize("status", states_except(S.SUBMITTED))
def test_it_refuses_requesting_information_in_any_state_but_submitted(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "request_info", user=world.carl, question=QUESTION)

    assert caught.value.message == not_possible_message("request_info", status)
    assert snapshot(application) == before


@pytest.mark.parametrize(
    "data",
    [{}, {"question": ""}, {"question": "   \n"}, {"question": None}, {"reason": QUESTION}],
    ids=["missing", "empty", "blank", "none", "given-as-reason"],
)
def test_it_refuses_a_request_without_a_question(
    world: SimpleNamespace, draft: Application, data: dict[str, Any]
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(submitted, "request_info", user=world.carl, **data)

    assert caught.value.errors == {"question": ["Write the question to the association."]}
    assert snapshot(submitted) == before
