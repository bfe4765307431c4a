"""provide_info: info_requested → submitted, by the association (or carl, on paper)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    OFF_PATH,
    S,
    assert_recorded,
    paper_draft,
    reach,
    snapshot,
)

QUESTION = OFF_PATH[S.INFO_REQUESTED][3]["question"]
ANSWER = "Vi er 12 frivillige, 8 af dem hver uge."


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
