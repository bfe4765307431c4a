"""provide_info: info_requested → submitted, by the association (or carl, on paper)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from cases.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    OFF_PATH,
    S,
    assert_recorded,
    declared_sources,
    not_permitted_message,
    not_possible_message,
    others,
    paper_draft,
    reach,
    snapshot,
    states_except,
)

QUESTION = OFF_PATH[S.INFO_REQUESTED][3]["question"]
ANSWER = "Vi er 12 frivillige, 8 af dem hver uge."


def test_provide_info_starts_only_from_info_requested() -> None:
    assert declared_sources("provide_info") == {S.INFO_REQUESTED}


def test_anna_answers_and_the_case_returns_to_the_secretariat(
    world: SimpleNamespace, draft: Application
) -> None:
    asked = reach(draft, world, S.INFO_REQUESTED)

    answered = perform(asked, "provide_info", user=world.anna, answer=ANSWER)

    assert answered.open_question == ""
    assert_recorded(
        answered,
        records_before=2,
        transition="provide_info",
        from_state=S.INFO_REQUESTED,
        to_state=S.SUBMITTED,
        actor=world.anna,
        role="applicant",
        reason=ANSWER,
        payload={"question": QUESTION},
    )


def test_carl_types_in_the_answer_to_a_paper_application(world: SimpleNamespace) -> None:
    paper = paper_draft(world, received_at=timezone.now() - timedelta(days=1))
    paper = perform(paper, "submit", user=world.carl)
    paper = perform(paper, "request_info", user=world.carl, question=QUESTION)

    answered = perform(paper, "provide_info", user=world.carl, answer=ANSWER)

    assert_recorded(
        answered,
        records_before=2,
        transition="provide_info",
        from_state=S.INFO_REQUESTED,
        to_state=S.SUBMITTED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=ANSWER,
        payload={"question": QUESTION},
    )


@pytest.mark.parametrize("name", others("anna"))
def test_it_denies_answering_to_everyone_who_does_not_represent_the_association(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    asked = reach(draft, world, S.INFO_REQUESTED)
    before = snapshot(asked)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(asked, "provide_info", user=getattr(world, name), answer=ANSWER)

    assert caught.value.message == not_permitted_message("provide_info")
    assert snapshot(asked) == before
    assert perform(asked, "provide_info", user=world.anna, answer=ANSWER).status == S.SUBMITTED


@pytest.mark.parametrize("status", states_except(S.INFO_REQUESTED))
def test_it_refuses_an_answer_in_any_state_but_info_requested(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "provide_info", user=world.anna, answer=ANSWER)

    assert caught.value.message == not_possible_message("provide_info", status)
    assert snapshot(application) == before


@pytest.mark.parametrize(
    "data", [{}, {"answer": ""}, {"answer": " \t"}], ids=["missing", "empty", "blank"]
)
def test_it_refuses_an_empty_answer(
    world: SimpleNamespace, draft: Application, data: dict[str, Any]
) -> None:
    asked = reach(draft, world, S.INFO_REQUESTED)
    before = snapshot(asked)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(asked, "provide_info", user=world.anna, **data)

    assert caught.value.errors == {"answer": ["Write your answer."]}
    assert snapshot(asked) == before


def test_the_answer_is_accepted_after_the_deadline(
    world: SimpleNamespace, draft: Application
) -> None:
    asked = reach(draft, world, S.INFO_REQUESTED)

    with time_machine.travel(world.round.deadline + timedelta(days=3), tick=False):
        answered = perform(asked, "provide_info", user=world.anna, answer=ANSWER)

    assert answered.status == S.SUBMITTED
