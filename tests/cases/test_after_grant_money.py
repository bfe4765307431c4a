"""Every money input takes Danish notation ("12.500,50") as well as plain ("12500.50")."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils.translation import override

from web.applications.forms import (
    ApplicationForm,
    BudgetLineForm,
    ReportLineForm,
    transition_form,
)


@pytest.mark.parametrize("typed", ["12.500,50", "12500,50", "12 500,50", "12500.50"])
def test_the_application_form_reads_danish_and_plain_amounts(
    world: SimpleNamespace, typed: str
) -> None:
    with override("da"):
        form = ApplicationForm(
            {"title": "Lektiecafé", "amount_requested": typed, "other_funding": "1.000"},
            grant_round=world.round,
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount_requested"] == Decimal("12500.50")
    assert form.cleaned_data["other_funding"] == Decimal("1000")


@pytest.mark.parametrize(
    "form",
    [
        lambda data: BudgetLineForm({"description": "Materialer", "amount": data}),
        lambda data: ReportLineForm({"description": "Materialer", "spent": data}),
        lambda data: transition_form("pay", {"amount": data, "reference": "R"}),
    ],
    ids=["budget-line", "report-line", "transition"],
)
def test_other_money_inputs_read_danish_and_refuse_negative_or_text(form: object) -> None:
    with override("da"):
        good = form("8.000,25")  # type: ignore[operator]
        assert good.is_valid(), good.errors
        assert Decimal("8000.25") in good.cleaned_data.values()
        for bad in ("-5", "otte tusind"):
            refused = form(bad)  # type: ignore[operator]
            assert not refused.is_valid()
