"""pay: granted → paid, by carl, registering the payout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Payout, Role
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

PAYOUT = {"amount": "20000", "reference": "UDB-2027-17"}
BETWEEN = f"The payout lies between 0 and the {kr(20000)} granted."


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
            "paid_total": "20000.00",
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


def test_carl_pays_a_grant_in_two_instalments_each_recorded(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = reach(draft, world, S.GRANTED)

    first = perform(granted, "pay", user=world.carl, amount="12000", reference="R1")
    second = perform(first, "pay", user=world.carl, reference="R2")  # the rest, by default

    assert list(Payout.objects.filter(application=second).values_list("amount", "reference")) == [
        (Decimal("12000.00"), "R1"),
        (Decimal("8000.00"), "R2"),
    ]
    record = assert_recorded(
        second,
        records_before=5,
        transition="pay",
        from_state=S.PAID,
        to_state=S.PAID,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        payload={
            "amount": "8000.00",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "R2",
            "payout": Payout.objects.get(reference="R2").pk,
            "paid_total": "20000.00",
        },
    )
    assert record.from_state == record.to_state == S.PAID


def test_it_refuses_instalments_that_together_exceed_the_grant(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = reach(draft, world, S.GRANTED)
    paid = perform(granted, "pay", user=world.carl, amount="15000", reference="R1")
    before = snapshot(paid)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "pay", user=world.carl, amount="5000.01", reference="R2")

    assert caught.value.errors == {
        "amount": [f"The payout lies between 0 and the {kr(5000)} not yet paid out."]
    }
    assert snapshot(paid) == before
    assert perform(paid, "pay", user=world.carl, amount="5000", reference="R2").status == S.PAID


def test_it_refuses_a_payout_once_the_grant_is_paid_in_full(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = reach(draft, world, S.PAID)
    before = snapshot(paid)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "pay", user=world.carl, amount="1", reference="R9")

    assert caught.value.errors == {"amount": ["The grant has already been paid out in full."]}
    assert snapshot(paid) == before
