"""decide: recommended → granted or refused, by frida (the committee chair), if not conflicted."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Document, Meeting, Role
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

GRANT_PARTLY = {"outcome": "grant", "amount": "20000", "reason": "Som indstillet"}
REASONS_NEEDED = "Give the reasons: the decision does not grant the full amount requested."


@pytest.mark.parametrize(
    ("data", "status", "amount", "reason"),
    [
        ({"outcome": "grant"}, S.GRANTED, "25000.00", ""),
        ({"outcome": "grant", "amount": ""}, S.GRANTED, "25000.00", ""),
        ({"outcome": "grant", "amount": "25000"}, S.GRANTED, "25000.00", ""),
        (GRANT_PARTLY, S.GRANTED, "20000.00", "Som indstillet"),
        ({"outcome": "refuse", "reason": "Puljen er brugt"}, S.REFUSED, "0", "Puljen er brugt"),
        (
            {"outcome": "refuse", "amount": "25000", "reason": "Puljen er brugt"},
            S.REFUSED,
            "0",
            "Puljen er brugt",
        ),
    ],
    ids=[
        "grant-in-full",
        "grant-blank-amount",
        "grant-requested-amount",
        "grant-in-part",
        "refuse",
        "refuse-ignores-amount",
    ],
)
def test_frida_decides_for_the_committee(
    world: SimpleNamespace,
    draft: Application,
    data: dict[str, Any],
    status: str,
    amount: str,
    reason: str,
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)

    decided = perform(recommended, "decide", user=world.frida, **data)

    assert decided.granted_amount == Decimal(amount)
    assert decided.decision_reasons == reason
    assert decided.decided_at is not None
    assert_recorded(
        decided,
        records_before=3,
        transition="decide",
        from_state=S.RECOMMENDED,
        to_state=status,
        actor=world.frida,
        role=Role.COMMITTEE_CHAIR,
        reason=reason,
        payload={
            "outcome": data["outcome"],
            "amount": amount,
            "requested": "25000.00",
            "recommended": "20000.00",
            "meeting": Meeting.objects.get(body="committee").pk,
            # The decision letter produced with the decision (cases/documents/letters.py).
            "letter": Document.objects.get(application=recommended).pk,
            # Nothing entered: unanimous, frida the one member present; the meeting's date.
            "vote": {"for": 1, "against": 0, "abstaining": 0, "unanimous": True},
            "decision_date": "2026-02-15",
        },
    )
    assert decided.decision_date == datetime.date(2026, 2, 15)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"outcome": ["Choose whether to grant or refuse."]}),
        (
            {**GRANT_PARTLY, "outcome": "partial"},
            {"outcome": ["Choose whether to grant or refuse."]},
        ),
        (
            {**GRANT_PARTLY, "amount": "25000.01"},
            {"amount": [f"The grant cannot exceed the {kr(25000)} requested."]},
        ),
        ({**GRANT_PARTLY, "amount": "-1"}, {"amount": [NEGATIVE_AMOUNT]}),
        (
            {**GRANT_PARTLY, "amount": "0"},
            {"amount": ["A grant must be more than 0 DKK; refuse instead."]},
        ),
        (
            {**GRANT_PARTLY, "amount": "abc"},
            {"amount": [ENTER_AMOUNT]},
        ),
        ({"outcome": "grant", "amount": "20000"}, {"reason": [REASONS_NEEDED]}),
        ({"outcome": "grant", "amount": "24999.99", "reason": "  "}, {"reason": [REASONS_NEEDED]}),
        ({"outcome": "refuse"}, {"reason": [REASONS_NEEDED]}),
    ],
    ids=[
        "no-outcome",
        "partial-is-not-an-outcome",
        "more-than-requested",
        "negative",
        "zero",
        "not-a-number",
        "partial-without-reasons",
        "partial-with-blank-reasons",
        "refuse-without-reasons",
    ],
)
def test_it_refuses_an_invalid_decision(
    world: SimpleNamespace,
    draft: Application,
    data: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    before = snapshot(recommended)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(recommended, "decide", user=world.frida, **data)

    assert caught.value.errors == errors
    assert snapshot(recommended) == before
