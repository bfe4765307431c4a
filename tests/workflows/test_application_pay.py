"""pay: granted → paid, by carl, registering the payout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.models import Application, Payout, Role
from workflows.engine import perform
from workflows.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible

from .support import (
    ENTER_AMOUNT,
    NEGATIVE_AMOUNT,
    S,
    assert_recorded,
    declared_sources,
    kr,
    not_permitted_message,
    not_possible_message,
    others,
    reach,
    snapshot,
    states_except,
)

PAYOUT = {"amount": "20000", "reference": "UDB-2027-17"}
BETWEEN = f"The payout lies between 0 and the {kr(20000)} granted."


def test_pay_starts_only_from_granted() -> None:
    assert declared_sources("pay") == {S.GRANTED}


def test_carl_registers_the_payout_of_the_full_grant(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = reach(draft, world, S.GRANTED)

    paid = perform(granted, "pay", user=world.carl, reference=" UDB-2027-17 ")

    payout = Payout.objects.get(application=paid)
    assert (payout.amount, payout.reference, payout.paid_on, payout.registered_by) == (
        Decimal("20000.00"),
        "UDB-2027-17",
        timezone.localdate(),
        world.carl,
    )
    assert payout.history.get().history_user == world.carl
    assert_recorded(
        paid,
        records_before=4,
        transition="pay",
        from_state=S.GRANTED,
        to_state=S.PAID,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        payload={
            "amount": "20000.00",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "UDB-2027-17",
            "payout": payout.pk,
        },
    )


def test_carl_registers_a_part_payment_on_a_given_date(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = reach(draft, world, S.GRANTED)

    paid = perform(
        granted, "pay", user=world.carl, amount="12500.50", paid_on="2027-01-15", reference="X1"
    )

    payout = Payout.objects.get(application=paid)
    assert (payout.amount, payout.paid_on) == (Decimal("12500.50"), date(2027, 1, 15))
    assert paid.status == S.PAID


@pytest.mark.parametrize("name", others("carl"))
def test_it_denies_registering_a_payout_to_everyone_but_the_case_officer(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    granted = reach(draft, world, S.GRANTED)
    before = snapshot(granted)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(granted, "pay", user=getattr(world, name), **PAYOUT)

    assert caught.value.message == not_permitted_message("pay")
    assert snapshot(granted) == before
    assert perform(granted, "pay", user=world.carl, **PAYOUT).status == S.PAID


@pytest.mark.parametrize("status", states_except(S.GRANTED))
def test_it_refuses_a_payout_in_any_state_but_granted(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "pay", user=world.carl, **PAYOUT)

    assert caught.value.message == not_possible_message("pay", status)
    assert snapshot(application) == before


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({**PAYOUT, "amount": "20000.01"}, {"amount": [BETWEEN]}),
        ({**PAYOUT, "amount": "0"}, {"amount": [BETWEEN]}),
        ({**PAYOUT, "amount": "-5"}, {"amount": [NEGATIVE_AMOUNT]}),
        (
            {**PAYOUT, "amount": "tyve tusind"},
            {"amount": [ENTER_AMOUNT]},
        ),
        ({"amount": "20000"}, {"reference": ["Give the payment reference."]}),
        ({**PAYOUT, "reference": "   "}, {"reference": ["Give the payment reference."]}),
        (
            {**PAYOUT, "paid_on": "15-01-2027"},
            {"paid_on": ["Enter the payment date as YYYY-MM-DD."]},
        ),
        (
            {"amount": "0"},
            {"amount": [BETWEEN], "reference": ["Give the payment reference."]},
        ),
    ],
    ids=[
        "more-than-granted",
        "zero",
        "negative",
        "not-a-number",
        "no-reference",
        "blank-reference",
        "bad-date",
        "every-error-at-once",
    ],
)
def test_it_refuses_an_invalid_payout(
    world: SimpleNamespace,
    draft: Application,
    data: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    granted = reach(draft, world, S.GRANTED)
    before = snapshot(granted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(granted, "pay", user=world.carl, **data)

    assert caught.value.errors == errors
    assert snapshot(granted) == before
