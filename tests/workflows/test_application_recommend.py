"""recommend: in_council_review → recommended, by erik (the council chair), if not conflicted."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Meeting, Role
from workflows.engine import perform

from .support import (
    ENTER_AMOUNT,
    NEGATIVE_AMOUNT,
    S,
    assert_recorded,
    kr,
    reach,
    snapshot,
)

PARTIAL = {"outcome": "partial", "amount": "20000", "reason": "Puljen er lille"}


@pytest.mark.parametrize(
    ("data", "amount", "reason"),
    [
        ({"outcome": "grant"}, "25000.00", ""),
        ({"outcome": "grant", "amount": "1", "reason": "Godt projekt"}, "25000.00", "Godt projekt"),
        (PARTIAL, "20000.00", "Puljen er lille"),
        ({"outcome": "partial", "amount": "0.01", "reason": "Lidt"}, "0.01", "Lidt"),
        ({"outcome": "partial", "amount": "24999.99", "reason": "Næsten"}, "24999.99", "Næsten"),
        ({"outcome": "refuse", "reason": "Uden for målgruppen"}, "0", "Uden for målgruppen"),
    ],
    ids=["grant", "grant-ignores-amount", "partial", "partial-lowest", "partial-highest", "refuse"],
)
def test_erik_records_the_councils_recommendation(
    world: SimpleNamespace, draft: Application, data: dict[str, Any], amount: str, reason: str
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)

    recommended = perform(in_review, "recommend", user=world.erik, **data)

    assert recommended.recommendation_outcome == data["outcome"]
    assert str(recommended.recommended_amount) == amount
    assert recommended.recommendation_reasons == reason
    assert_recorded(
        recommended,
        records_before=2,
        transition="recommend",
        from_state=S.IN_COUNCIL_REVIEW,
        to_state=S.RECOMMENDED,
        actor=world.erik,
        role=Role.COUNCIL_CHAIR,
        reason=reason,
        payload={
            "outcome": data["outcome"],
            "amount": amount,
            "requested": "25000.00",
            # Held at the council meeting, with erik counted and dorte (A's board) recused.
            "meeting": Meeting.objects.get(body="council").pk,
            "present": [world.erik.pk],
            "conflicted": [world.dorte.pk],
            "assessments": {},
            # Nothing entered: unanimous, erik the one member who could vote; the meeting's date.
            "vote": {"for": 1, "against": 0, "abstaining": 0, "unanimous": True},
            "decision_date": "2026-02-01",
        },
    )


BETWEEN = f"A partial recommendation lies between 0 and {kr(25000)}."


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"outcome": ["Choose support in full, in part, or refuse."]}),
        ({"outcome": "maybe"}, {"outcome": ["Choose support in full, in part, or refuse."]}),
        ({**PARTIAL, "amount": "25000"}, {"amount": [BETWEEN]}),
        ({**PARTIAL, "amount": "30000"}, {"amount": [BETWEEN]}),
        ({**PARTIAL, "amount": "0"}, {"amount": [BETWEEN]}),
        ({**PARTIAL, "amount": "0.001"}, {"amount": [BETWEEN]}),
        ({**PARTIAL, "amount": "-100"}, {"amount": [NEGATIVE_AMOUNT]}),
        (
            {**PARTIAL, "amount": "abc"},
            {"amount": [ENTER_AMOUNT]},
        ),
        (
            {"outcome": "partial", "reason": "Mangler beløb"},
            {"amount": [ENTER_AMOUNT]},
        ),
        (
            {**PARTIAL, "reason": " "},
            {"reason": ["Give the reasons for recommending less than the amount requested."]},
        ),
        (
            {"outcome": "refuse"},
            {"reason": ["Give the reasons for recommending less than the amount requested."]},
        ),
    ],
    ids=[
        "no-outcome",
        "unknown-outcome",
        "partial-equal-to-requested",
        "partial-above-requested",
        "partial-zero",
        "partial-rounds-to-zero",
        "partial-negative",
        "partial-not-a-number",
        "partial-without-amount",
        "partial-without-reasons",
        "refuse-without-reasons",
    ],
)
def test_it_refuses_an_invalid_recommendation(
    world: SimpleNamespace,
    draft: Application,
    data: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    before = snapshot(in_review)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(in_review, "recommend", user=world.erik, **data)

    # Compared without final full stops: the doubled one after "kr." is a bug of its own,
    # exposed by test_the_partial_amount_message_ends_with_one_full_stop.
    assert caught.value.errors == errors
    assert snapshot(in_review) == before


def test_the_partial_amount_message_ends_with_one_full_stop(
    world: SimpleNamespace, draft: Application
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(in_review, "recommend", user=world.erik, **{**PARTIAL, "amount": "30000"})

    assert caught.value.errors["amount"] == [BETWEEN]
    assert not caught.value.message.endswith("..")
