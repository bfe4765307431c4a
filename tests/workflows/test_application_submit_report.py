"""submit_report: paid → report_submitted, by the association, with lines and the tier's documents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import (
    Application,
    ReportAttachment,
    ReportRequirement,
    ReportTier,
    UsageReport,
    UsageReportLine,
)
from workflows import flow as flow_module
from workflows.engine import perform

from ..conftest import PDF, report_data
from .support import (
    S,
    assert_recorded,
    kr,
    reach,
    snapshot,
)


def pdf(name: str = "regnskab.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def full_snapshot(application: Application) -> dict[str, Any]:
    return {
        **snapshot(application),
        "lines": UsageReportLine.objects.count(),
        "attachments": ReportAttachment.objects.count(),
    }


def test_anna_reports_per_budget_line_with_accounts_and_the_balance_is_computed(
    world: SimpleNamespace, draft: Application, settings: Any
) -> None:
    paid = reach(draft, world, S.PAID)
    materials, trip = paid.budget_lines.order_by("position", "id")

    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        description="Vi holdt 40 lektiecaféer",
        participants_reached="55",
        volunteers_involved=11,
        lines=[
            {"budget_line": materials.pk, "spent": "12000.25"},
            {"budget_line": trip.pk, "spent": "5000"},
            {"description": "Kaffe", "spent": "500"},
        ],
        attachments=[("accounts", pdf()), ("other", pdf("billeder.pdf"))],
    )

    report = UsageReport.objects.get(application=reported)
    assert (
        report.description,
        report.amount_spent,
        report.unspent_amount,
        report.participants_reached,
        report.volunteers_involved,
        report.submitted_by,
        report.status,
    ) == (
        "Vi holdt 40 lektiecaféer",
        Decimal("17500.25"),
        Decimal("2499.75"),
        55,
        11,
        world.anna,
        "submitted",
    )
    assert list(report.lines.values_list("description", "budgeted", "spent")) == [
        ("Materialer", Decimal("15000.00"), Decimal("12000.25")),
        ("Udflugt", Decimal("10000.00"), Decimal("5000.00")),
        ("Kaffe", Decimal("0.00"), Decimal("500.00")),
    ]
    assert sorted(report.attachments.values_list("kind", "original_name")) == [
        ("accounts", "regnskab.pdf"),
        ("other", "billeder.pdf"),
    ]
    assert len(stored_files(settings)) == 2
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
            "report": report.pk,
            "amount_spent": "17500.25",
            "paid": "20000.00",
            "unspent": "2499.75",
            "requirement": "accounts",
            "participants_reached": 55,
            "volunteers_involved": 11,
            "lines": [
                {"description": "Materialer", "spent": "12000.25"},
                {"description": "Udflugt", "spent": "5000.00"},
                {"description": "Kaffe", "spent": "500.00"},
            ],
            "attachments": [
                {"kind": "accounts", "name": "regnskab.pdf"},
                {"kind": "other", "name": "billeder.pdf"},
            ],
        },
    )


WHOLE = ["Enter a whole number."]
BAD_LINE = "Line “Lektiecafé”: enter the amount spent in kroner; it cannot be negative."
ACCOUNTS_NEEDED = f"A grant of {kr(20000)} needs this attachment: Accounts."


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"lines": [{"description": "Lektiecafé", "spent": "-1"}]},
            {"lines": [BAD_LINE]},
        ),
        (
            {"lines": [{"description": "Lektiecafé", "spent": "abc"}]},
            {"lines": [BAD_LINE]},
        ),
        ({"lines": []}, {"lines": ["Enter the amount spent on at least one budget line."]}),
        (
            {"lines": [{"description": " ", "spent": "100"}]},
            {"lines": ["Line 1: describe what the amount was spent on."]},
        ),
        (
            {"lines": [{"budget_line": 999999, "spent": "100"}]},
            {"lines": ["Line 1 refers to a budget line of another application."]},
        ),
        ({"description": " "}, {"description": ["Describe what the grant was used for."]}),
        ({"participants_reached": "mange"}, {"participants_reached": WHOLE}),
        (
            {"participants_reached": "-3"},
            {"participants_reached": ["The number cannot be negative."]},
        ),
        (
            {"participants_reached": "3000000000"},
            {"participants_reached": ["The number is too large."]},
        ),
        ({"volunteers_involved": "1.5"}, {"volunteers_involved": WHOLE}),
        (
            {"lines": [{"description": "Lektiecafé", "spent": "20000.01"}]},
            {
                "overspend_explanation": [
                    f"You report {kr('20000.01')} spent, more than the {kr(20000)} paid out. "
                    "Explain how the difference was paid for."
                ]
            },
        ),
        ({"attachments": []}, {"accounts": [ACCOUNTS_NEEDED]}),
        (
            {"attachments": [("other", SimpleUploadedFile("regnskab.pdf", PDF))]},
            {"accounts": [ACCOUNTS_NEEDED]},
        ),
        (
            {"description": "", "lines": [], "attachments": []},
            {
                "description": ["Describe what the grant was used for."],
                "lines": ["Enter the amount spent on at least one budget line."],
                "accounts": [ACCOUNTS_NEEDED],
            },
        ),
    ],
    ids=[
        "negative-amount",
        "amount-not-a-number",
        "no-lines",
        "line-without-description",
        "foreign-budget-line",
        "no-description",
        "participants-not-a-number",
        "negative-participants",
        "participants-too-large",
        "volunteers-not-whole",
        "overspent-without-explanation",
        "no-accounts",
        "accounts-sent-as-other",
        "every-error-at-once",
    ],
)
def test_it_refuses_an_invalid_usage_report_and_stores_nothing(
    world: SimpleNamespace,
    draft: Application,
    settings: Any,
    overrides: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    paid = reach(draft, world, S.PAID)
    before = full_snapshot(paid)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "submit_report", user=world.anna, **report_data(**overrides))

    assert caught.value.errors == errors
    assert full_snapshot(paid) == before
    assert stored_files(settings) == []


def test_it_refuses_an_attachment_that_fails_the_upload_check_and_stores_nothing(
    world: SimpleNamespace, draft: Application, settings: Any
) -> None:
    paid = reach(draft, world, S.PAID)
    before = full_snapshot(paid)
    fake = SimpleUploadedFile("regnskab.pdf", b"not a pdf at all")

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(
            paid, "submit_report", user=world.anna, **report_data(attachments=[("accounts", fake)])
        )

    # The wording is cases.uploads.check_upload's; it sits on the field of that attachment.
    assert list(caught.value.errors) == ["accounts"]
    assert "PDF" in caught.value.errors["accounts"][0]
    assert full_snapshot(paid) == before
    assert stored_files(settings) == []


def test_spending_beyond_the_payout_is_accepted_with_an_explanation(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = reach(draft, world, S.PAID)

    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        **report_data(
            lines=[{"description": "Lektiecafé", "spent": "21000"}],
            overspend_explanation="Foreningen betalte 1.000 kr. af egen kasse.",
        ),
    )

    report = reported.usage_reports.get()
    assert (report.amount_spent, report.unspent_amount) == (Decimal("21000.00"), Decimal("0"))
    assert report.overspend_explanation == "Foreningen betalte 1.000 kr. af egen kasse."


def test_a_small_grant_needs_the_declaration_on_honour_not_accounts(
    world: SimpleNamespace, draft: Application
) -> None:
    # The municipality's own tiers: declaration up to 25,000 DKK.
    ReportTier.objects.create(
        municipality=world.roskilde, from_amount=0, requirement=ReportRequirement.DECLARATION
    )
    ReportTier.objects.create(
        municipality=world.roskilde, from_amount=25000, requirement=ReportRequirement.ACCOUNTS
    )
    paid = reach(draft, world, S.PAID)
    before = full_snapshot(paid)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "submit_report", user=world.anna, **report_data(attachments=[]))

    assert caught.value.errors == {
        "declaration_on_honour": ["For a grant of this size, confirm the declaration on honour."]
    }
    assert full_snapshot(paid) == before
    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        **report_data(attachments=[], declaration_on_honour="on"),
    )
    assert reported.usage_reports.get().declaration_on_honour is True


def test_a_large_grant_needs_accounts_and_the_auditors_endorsement(
    world: SimpleNamespace, draft: Application
) -> None:
    ReportTier.objects.create(
        municipality=world.roskilde,
        from_amount=20000,
        requirement=ReportRequirement.AUDITED_ACCOUNTS,
    )
    paid = reach(draft, world, S.PAID)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(paid, "submit_report", user=world.anna, **report_data())

    assert caught.value.errors == {
        "auditor_endorsement": [
            f"A grant of {kr(20000)} needs this attachment: Auditor's endorsement."
        ]
    }
    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        **report_data(attachments=[("accounts", pdf()), ("auditor_endorsement", pdf("p.pdf"))]),
    )
    assert reported.usage_reports.get().attachments.count() == 2


def test_files_written_before_a_later_failure_are_deleted(
    world: SimpleNamespace, draft: Application, settings: Any, monkeypatch: Any
) -> None:
    paid = reach(draft, world, S.PAID)
    before = full_snapshot(paid)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the record could not be written")

    monkeypatch.setattr(flow_module, "record_transition", broken)
    with pytest.raises(RuntimeError):
        perform(paid, "submit_report", user=world.anna, **report_data())

    assert full_snapshot(paid) == before
    assert stored_files(settings) == []
