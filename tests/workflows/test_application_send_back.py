"""send_back: recommended → in_council_review, by frida, clearing the recommendation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Role
from cases.trail.chain import verify_records
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    reach,
    records_of,
    snapshot,
)

REASON = "Rådet bør se på budgettet igen."


def test_frida_sends_the_case_back_to_the_council(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)

    sent_back = perform(recommended, "send_back", user=world.frida, reason=REASON)

    assert sent_back.recommendation_outcome == ""
    assert sent_back.recommended_amount is None
    assert sent_back.recommendation_reasons == ""
    assert_recorded(
        sent_back,
        records_before=3,
        transition="send_back",
        from_state=S.RECOMMENDED,
        to_state=S.IN_COUNCIL_REVIEW,
        actor=world.frida,
        role=Role.COMMITTEE_CHAIR,
        reason=REASON,
        payload={"previous_recommendation": {"outcome": "partial", "amount": "20000.00"}},
    )


def test_the_council_recommends_again_and_the_chain_continues(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    sent_back = perform(recommended, "send_back", user=world.frida, reason=REASON)

    again = perform(sent_back, "recommend", user=world.erik, outcome="grant")

    records = records_of(again)
    assert [(r.seq, r.transition) for r in records][-3:] == [
        (3, "recommend"),
        (4, "send_back"),
        (5, "recommend"),
    ]
    assert verify_records(records) is None


@pytest.mark.parametrize(
    "data", [{}, {"reason": ""}, {"reason": "\n"}], ids=["missing", "empty", "blank"]
)
def test_it_refuses_sending_back_without_a_reason(
    world: SimpleNamespace, draft: Application, data: dict[str, Any]
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    before = snapshot(recommended)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(recommended, "send_back", user=world.frida, **data)

    assert caught.value.errors == {"reason": ["Say why the application goes back to the council."]}
    assert snapshot(recommended) == before
