"""request_info: submitted → info_requested, by carl; the question goes to the association."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    reach,
    snapshot,
)

QUESTION = "Hvor mange frivillige er med om ugen?"


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
