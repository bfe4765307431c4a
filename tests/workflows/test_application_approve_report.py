"""approve_report: report_submitted → closed, by carl, settling an unspent balance;
register_repayment: closed → closed, marking the repayment claim paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.errors import (
    ConditionsUnmet,
    InvalidInput,
)
from cases.models import Application, CarryOver, RepaymentClaim, Role
from notifications.models import Kind, Notification
from workflows.engine import perform

from ..conftest import NO_HEARING, NO_HEARING_RECORDED, report_data
from .support import (
    S,
    assert_recorded,
    kr,
    reach,
    snapshot,
)


@pytest.mark.parametrize(
    ("reason", "recorded"),
    [(None, ""), ("  Godkendt uden bemærkninger ", "Godkendt uden bemærkninger")],
    ids=["without-note", "with-note"],
)
def test_carl_approves_the_usage_report_and_the_case_closes(
    world: SimpleNamespace, draft: Application, reason: str | None, recorded: str
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)

    closed = perform(reported, "approve_report", user=world.carl, reason=reason)

    assert closed.closed_at is not None
    assert_recorded(
        closed,
        records_before=6,
        transition="approve_report",
        from_state=S.REPORT_SUBMITTED,
        to_state=S.CLOSED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=recorded,
        payload={"report": closed.usage_reports.get().pk, "unspent": "0.00"},
    )
    assert closed.usage_reports.get().status == "approved"


def reported_with_balance(draft: Application, world: SimpleNamespace) -> Application:
    """anna reports 15,000 of the 20,000 paid as spent: 5,000 is left."""
    paid = reach(draft, world, S.PAID)
    data = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    return perform(paid, "submit_report", user=world.anna, **data)


def test_an_unspent_balance_needs_a_settlement(world: SimpleNamespace, draft: Application) -> None:
    reported = reported_with_balance(draft, world)
    before = snapshot(reported)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(reported, "approve_report", user=world.carl, reason="OK")

    assert caught.value.errors == {
        "settlement": [
            f"The report leaves {kr(5000)} unspent: claim it back, or approve a carry-over."
        ]
    }
    assert snapshot(reported) == before
    assert not RepaymentClaim.objects.exists() and not CarryOver.objects.exists()


def test_carl_approves_with_a_repayment_claim_due_in_30_days_and_anna_is_told(
    world: SimpleNamespace, draft: Application
) -> None:
    reported = reported_with_balance(draft, world)
    report = reported.usage_reports.get()

    closed = perform(
        reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING
    )

    claim = RepaymentClaim.objects.get()
    due = timezone.localdate() + timedelta(days=30)
    assert (claim.application, claim.report, claim.amount, claim.due_on, claim.paid_on) == (
        closed,
        report,
        Decimal("5000.00"),
        due,
        None,
    )
    report.refresh_from_db()
    assert report.status == "approved"
    assert_recorded(
        closed,
        records_before=6,
        transition="approve_report",
        from_state=S.REPORT_SUBMITTED,
        to_state=S.CLOSED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        payload={
            "report": report.pk,
            "unspent": "5000.00",
            "settlement": "repayment",
            "repayment_claim": claim.pk,
            "repayment_due": due.isoformat(),
            "hearing": NO_HEARING_RECORDED,
            "payment_reference": f"{closed.case_number}-1",
            "letter": closed.documents.get(kind="repayment_claim").pk,
        },
    )
    notice = Notification.objects.get(kind=Kind.REPAYMENT_CLAIMED)
    assert (notice.recipient, notice.is_legal_notice) == (world.anna, True)


def test_carl_approves_a_carry_over_with_reasons(
    world: SimpleNamespace, draft: Application
) -> None:
    reported = reported_with_balance(draft, world)
    before = snapshot(reported)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(reported, "approve_report", user=world.carl, settlement="carry_over")
    assert caught.value.errors == {
        "carry_over_reason": [
            "Give the reasons for letting the association keep the unspent balance."
        ]
    }
    assert snapshot(reported) == before

    closed = perform(
        reported,
        "approve_report",
        user=world.carl,
        settlement="carry_over",
        carry_over_reason="Aktiviteten fortsætter i 2028 efter skriftlig anmodning.",
    )

    carry = CarryOver.objects.get()
    assert (carry.application, carry.amount, carry.approved_by) == (
        closed,
        Decimal("5000.00"),
        world.carl,
    )
    assert not RepaymentClaim.objects.exists()
    assert not Notification.objects.filter(kind=Kind.REPAYMENT_CLAIMED).exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"repayment_due": "1. marts"},
            {"repayment_due": ["Enter the due date as YYYY-MM-DD."]},
        ),
        (
            {"repayment_due": "2000-01-01"},
            {"repayment_due": ["The due date cannot be in the past."]},
        ),
    ],
    ids=["not-a-date", "in-the-past"],
)
def test_it_refuses_a_bad_due_date(
    world: SimpleNamespace, draft: Application, data: dict[str, Any], errors: dict[str, Any]
) -> None:
    reported = reported_with_balance(draft, world)
    before = snapshot(reported)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(reported, "approve_report", user=world.carl, settlement="repayment", **data)

    assert caught.value.errors == errors
    assert snapshot(reported) == before


# --- register_repayment --------------------------------------------------------------------


def claimed(draft: Application, world: SimpleNamespace) -> Application:
    reported = reported_with_balance(draft, world)
    return perform(
        reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING
    )


def test_carl_registers_the_repayment_and_the_claim_is_paid(
    world: SimpleNamespace, draft: Application
) -> None:
    closed = claimed(draft, world)
    claim = RepaymentClaim.objects.get()

    yesterday = timezone.localdate() - timedelta(days=1)
    after = perform(
        closed,
        "register_repayment",
        user=world.carl,
        paid_on=yesterday.isoformat(),
        reference="IND-7",
    )

    claim.refresh_from_db()
    assert (claim.paid_on, claim.paid_reference, claim.is_paid) == (
        yesterday,
        "IND-7",
        True,
    )
    assert_recorded(
        after,
        records_before=7,
        transition="register_repayment",
        from_state=S.CLOSED,
        to_state=S.CLOSED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        payload={
            "repayment_claim": claim.pk,
            "amount": "5000.00",
            "paid_on": yesterday.isoformat(),
            "reference": "IND-7",
        },
    )
    # Paid: there is nothing left to register.
    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(after, "register_repayment", user=world.carl, reference="IND-8")
    assert caught.value.message == "There is no outstanding repayment claim on this case."


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"reference": ["Give the payment reference."]}),
        (
            {"reference": "X", "paid_on": "01-03-2027"},
            {"paid_on": ["Enter the payment date as YYYY-MM-DD."]},
        ),
        (
            # Next year: within the input window (cases.parsing), but in the future.
            {"reference": "X", "paid_on": f"{timezone.localdate().year + 1}-06-01"},
            {"paid_on": ["The payment date cannot be in the future."]},
        ),
    ],
    ids=["no-reference", "bad-date", "future-date"],
)
def test_it_refuses_an_invalid_repayment(
    world: SimpleNamespace, draft: Application, data: dict[str, Any], errors: dict[str, Any]
) -> None:
    closed = claimed(draft, world)
    before = snapshot(closed)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(closed, "register_repayment", user=world.carl, **data)

    assert caught.value.errors == errors
    assert snapshot(closed) == before
