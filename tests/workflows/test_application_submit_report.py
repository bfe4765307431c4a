"""submit_report: paid → report_submitted, by the association, with the usage report."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.models import Application, UsageReport
from workflows.engine import perform
from workflows.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible

from .support import (
    ENTER_AMOUNT,
    NEGATIVE_AMOUNT,
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

REPORT = {"description": "Vi holdt 40 lektiecaféer", "amount_spent": "19500.25"}


def test_submit_report_starts_only_from_paid() -> None:
    assert declared_sources("submit_report") == {S.PAID}


def test_anna_submits_the_usage_report(world: SimpleNamespace, draft: Application) -> None:
    paid = reach(draft, world, S.PAID)

    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        participants_reached="55",
        volunteers_involved=11,
        **REPORT,
    )

    report = UsageReport.objects.get(application=reported)
    assert (
        report.description,
        report.amount_spent,
        report.participants_reached,
        report.volunteers_involved,
        report.submitted_by,
    ) == ("Vi holdt 40 lektiecaféer", Decimal("19500.25"), 55, 11, world.anna)
    assert report.history.get().history_user == world.anna
    assert_recorded(
        reported,
        records_before=5,
        transition="submit_report",
        from_state=S.PAID,
        to_state=S.REPORT_SUBMITTED,
        actor=world.anna,
        role="applicant",
        payload={
            "amount_spent": "19500.25",
            "report": report.pk,
            "participants_reached": 55,
            "volunteers_involved": 11,
        },
    )


@pytest.mark.parametrize("name", others("anna"))
def test_it_denies_the_usage_report_to_everyone_who_does_not_represent_the_association(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    paid = reach(draft, world, S.PAID)
    before = snapshot(paid)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(paid, "submit_report", user=getattr(world, name), **REPORT)

    assert caught.value.message == not_permitted_message("submit_report")
    assert snapshot(paid) == before
    assert perform(paid, "submit_report", user=world.anna, **REPORT).status == S.REPORT_SUBMITTED


@pytest.mark.parametrize("status", states_except(S.PAID))
def test_it_refuses_a_usage_report_in_any_state_but_paid(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "submit_report", user=world.anna, **REPORT)

    assert caught.value.message == not_possible_message("submit_report", status)
    assert snapshot(application) == before


WHOLE = ["Enter a whole number."]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({**REPORT, "amount_spent": "-1"}, {"amount_spent": [NEGATIVE_AMOUNT]}),
        (
            {"description": "Udført"},
            {"amount_spent": [ENTER_AMOUNT]},
        ),
        (
            {**REPORT, "amount_spent": "abc"},
            {"amount_spent": [ENTER_AMOUNT]},
        ),
        (
            {**REPORT, "description": " "},
            {"description": ["Describe what the grant was used for."]},
        ),
        ({**REPORT, "participants_reached": "mange"}, {"participants_reached": WHOLE}),
        (
            {**REPORT, "participants_reached": "-3"},
            {"participants_reached": ["The number cannot be negative."]},
        ),
        ({**REPORT, "volunteers_involved": "1.5"}, {"volunteers_involved": WHOLE}),
    ],
    ids=[
        "negative-amount",
        "no-amount",
        "amount-not-a-number",
        "no-description",
        "participants-not-a-number",
        "negative-participants",
        "volunteers-not-whole",
    ],
)
def test_it_refuses_an_invalid_usage_report(
    world: SimpleNamespace,
    draft: Application,
    data: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    paid = reach(draft, world, S.PAID)
    before = snapshot(paid)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "submit_report", user=world.anna, **data)

    assert caught.value.errors == errors
    assert snapshot(paid) == before


def test_it_refuses_a_participant_count_beyond_what_can_be_stored(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = reach(draft, world, S.PAID)

    with pytest.raises(InvalidInput) as caught:
        perform(paid, "submit_report", user=world.anna, participants_reached="3000000000", **REPORT)

    assert "participants_reached" in caught.value.errors
