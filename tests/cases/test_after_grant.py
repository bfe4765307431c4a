"""After the grant, on the screens: the whole life of a grant, the report form, the approve
page, attachment downloads, and the staff's usage report overview."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Application,
    ApplicationStatus,
    RepaymentClaim,
    ReportAttachment,
    UsageReport,
)
from cases.trail.models import TransitionRecord
from workflows.engine import perform

from ..conftest import NO_HEARING, PDF, advance, report_data
from ..factories import GrantRoundFactory
from ..workflows.support import make_application

S = ApplicationStatus


def pdf(name: str = "regnskab.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def report_post(application: Application, **overrides: Any) -> dict[str, Any]:
    """What the report form posts: a line per budget line, one 'other' line, accounts."""
    lines = list(application.budget_lines.order_by("position", "id"))
    data: dict[str, Any] = {
        "seen_status": application.status,
        "seen_version": application.version,
        "description": "Vi holdt 40 lektiecaféer",
        "participants_reached": "55",
        "volunteers_involved": "11",
        "lines-TOTAL_FORMS": str(len(lines) + 1),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
        "accounts": pdf(),
    }
    for i, line in enumerate(lines):
        data[f"lines-{i}-budget_line"] = str(line.pk)
        data[f"lines-{i}-description"] = line.description
        data[f"lines-{i}-spent"] = "8.000,50" if i == 0 else "7000"
    data[f"lines-{len(lines)}-description"] = ""
    data[f"lines-{len(lines)}-spent"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the whole life of a grant -------------------------------------------------------------


def test_the_full_life_of_a_grant(
    world: SimpleNamespace, draft: Application, as_user: Any, settings: Any
) -> None:
    """Decided, paid in two instalments, report returned once, resubmitted, approved with a
    repayment claim, the claim repaid, closed — every step on the screens, every step recorded."""
    granted = advance(draft, world, S.GRANTED)
    pk = granted.pk
    carl = as_user(world.carl)

    for amount, reference in (("12.000", "UDB-1"), ("8.000,00", "UDB-2")):
        fresh = Application.objects.get(pk=pk)
        response = carl.post(
            reverse("applications:application_act", args=[pk, "pay"]),
            {
                "seen_status": fresh.status,
                "seen_version": fresh.version,
                "amount": amount,
                "reference": reference,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert [p.amount for p in Application.objects.get(pk=pk).payouts.all()] == [
        Decimal("12000.00"),
        Decimal("8000.00"),
    ]

    anna = as_user(world.anna)
    application = Application.objects.get(pk=pk)
    response = anna.post(reverse("after_grant:report_submit", args=[pk]), report_post(application))
    assert response.status_code == 302, response.content.decode()[:3000]

    carl = as_user(world.carl)
    application = Application.objects.get(pk=pk)
    response = carl.post(
        reverse("applications:application_act", args=[pk, "return_report"]),
        {
            "seen_status": application.status,
            "seen_version": application.version,
            "reason": "Udflugten mangler bilag.",
        },
    )
    assert response.status_code == 302

    anna = as_user(world.anna)
    page = anna.get(reverse("after_grant:report_submit", args=[pk]))
    assert "Udflugten mangler bilag." in page.content.decode()
    application = Application.objects.get(pk=pk)
    response = anna.post(
        reverse("after_grant:report_submit", args=[pk]),
        report_post(application, description="Rettet, med bilag"),
    )
    assert response.status_code == 302

    carl = as_user(world.carl)
    application = Application.objects.get(pk=pk)
    approve = reverse("after_grant:report_approve", args=[pk])
    assert carl.get(approve).status_code == 200
    approval = {
        "seen_status": application.status,
        "seen_version": application.version,
        "reason": "Godkendt",
        "settlement": "repayment",
    }
    # A repayment claim is adverse: without a hearing, the § 19 ground beside its field.
    refused = carl.post(approve, approval)
    assert refused.status_code == 400
    assert 'id="id_hearing_exception-error"' in refused.content.decode()
    response = carl.post(approve, {**approval, **NO_HEARING})
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = RepaymentClaim.objects.get(application_id=pk)
    assert (claim.amount, claim.due_on) == (
        Decimal("4999.50"),
        timezone.localdate() + timedelta(days=30),
    )

    application = Application.objects.get(pk=pk)
    response = carl.post(
        reverse("applications:application_act", args=[pk, "register_repayment"]),
        {
            "seen_status": application.status,
            "seen_version": application.version,
            "reference": "IND-42",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.paid_on == timezone.localdate()

    closed = Application.objects.get(pk=pk)
    assert closed.status == S.CLOSED
    assert list(
        UsageReport.objects.filter(application=closed)
        .order_by("id")
        .values_list("description", "status")
    ) == [("Vi holdt 40 lektiecaféer", "returned"), ("Rettet, med bilag", "approved")]
    assert [
        r.transition for r in TransitionRecord.objects.filter(application=closed).order_by("seq")
    ][4:] == [
        "pay",
        "pay",
        "submit_report",
        "return_report",
        "submit_report",
        "approve_report",
        "register_repayment",
    ]
    assert len(media_files(settings)) == 2  # one accounts file per report

    # The application page shows it all, to anna too.
    page = (
        as_user(world.anna)
        .get(reverse("applications:application_detail", args=[pk]))
        .content.decode()
    )
    for text in ("UDB-1", "UDB-2", "Rettet, med bilag", "Udflugten mangler bilag.", "IND-42"):
        assert text in page


# --- the report form ---------------------------------------------------------------------


def test_the_report_form_lists_the_budget_lines_and_the_tiers_documents(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    paid = advance(draft, world, S.PAID)

    page = as_user(world.anna).get(reverse("after_grant:report_submit", args=[paid.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-requirement="accounts"' in html
    assert "Materialer" in html and "Udflugt" in html
    assert 'name="lines-2-description"' in html  # the empty "other" line


def test_a_refused_report_keeps_the_input_shows_errors_by_the_fields_and_stores_nothing(
    world: SimpleNamespace, draft: Application, as_user: Any, settings: Any
) -> None:
    paid = advance(draft, world, S.PAID)
    client = as_user(world.anna)
    data = report_post(
        paid,
        accounts=None,
        description="Beskrivelse der skal blive stående",
        **{"lines-0-spent": "30000"},  # 37,000 spent of 20,000 paid, no explanation
    )

    response = client.post(
        reverse("after_grant:report_submit", args=[paid.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Beskrivelse der skal blive stående" in html
    assert 'id="id_overspend_explanation-error"' in html
    assert 'id="id_accounts-error"' in html
    assert UsageReport.objects.count() == 0 and ReportAttachment.objects.count() == 0
    assert media_files(settings) == []
    assert Application.objects.get(pk=paid.pk).status == S.PAID


@pytest.mark.parametrize("spent", ["-5", "mange"], ids=["negative", "not-a-number"])
def test_a_bad_amount_on_a_line_is_refused_next_to_it(
    world: SimpleNamespace, draft: Application, as_user: Any, spent: str
) -> None:
    paid = advance(draft, world, S.PAID)

    response = as_user(world.anna).post(
        reverse("after_grant:report_submit", args=[paid.pk]),
        report_post(paid, **{"lines-1-spent": spent}),
    )

    assert response.status_code == 400
    assert 'id="id_lines-1-spent-error"' in response.content.decode()
    assert UsageReport.objects.count() == 0


@pytest.mark.parametrize("name", ["bo", "carl", "gustav", "helle"])
def test_only_the_association_may_open_the_report_form(
    world: SimpleNamespace, draft: Application, as_user: Any, name: str
) -> None:
    paid = advance(draft, world, S.PAID)
    url = reverse("after_grant:report_submit", args=[paid.pk])

    response = as_user(getattr(world, name)).post(url, report_post(paid))

    # Another association or municipality: 404; the municipality's own staff: 403.
    assert response.status_code == (404 if name in ("bo", "helle") else 403)
    assert UsageReport.objects.count() == 0
    assert as_user(world.anna).post(url, report_post(paid)).status_code == 302


def test_the_report_form_is_refused_before_the_payout(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    granted = advance(draft, world, S.GRANTED)

    assert (
        as_user(world.anna).get(reverse("after_grant:report_submit", args=[granted.pk])).status_code
        == 403
    )


# --- the approve page ------------------------------------------------------------------------


def reported_with_balance(draft: Application, world: SimpleNamespace) -> Application:
    paid = advance(draft, world, S.PAID)
    data = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    return perform(paid, "submit_report", user=world.anna, **data)


def test_approving_an_unspent_balance_without_a_settlement_shows_the_error(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    reported = reported_with_balance(draft, world)

    response = as_user(world.carl).post(
        reverse("after_grant:report_approve", args=[reported.pk]),
        {"seen_status": reported.status, "seen_version": reported.version, "reason": "OK"},
    )

    assert response.status_code == 400
    assert 'id="id_settlement-error"' in response.content.decode()
    assert Application.objects.get(pk=reported.pk).status == S.REPORT_SUBMITTED


@pytest.mark.parametrize("name", ["anna", "bo", "erik", "frida", "gustav", "helle"])
def test_only_the_case_officer_may_approve_on_the_approve_page(
    world: SimpleNamespace, draft: Application, as_user: Any, name: str
) -> None:
    reported = reported_with_balance(draft, world)
    url = reverse("after_grant:report_approve", args=[reported.pk])
    data = {
        "seen_status": reported.status,
        "seen_version": reported.version,
        "settlement": "carry_over",
        "carry_over_reason": "Aktiviteten fortsætter",
    }

    response = as_user(getattr(world, name)).post(url, data)

    assert response.status_code == (404 if name in ("bo", "helle") else 403)
    assert Application.objects.get(pk=reported.pk).status == S.REPORT_SUBMITTED
    assert as_user(world.carl).post(url, data).status_code == 302
    assert Application.objects.get(pk=reported.pk).status == S.CLOSED


# --- attachment downloads -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [("anna", 200), ("carl", 200), ("gustav", 200), ("bo", 404), ("helle", 404)],
)
def test_a_report_attachment_downloads_only_for_those_who_may_see_the_case(
    world: SimpleNamespace, draft: Application, as_user: Any, name: str, status: int
) -> None:
    reported = advance(draft, world, S.REPORT_SUBMITTED)
    attachment = ReportAttachment.objects.get(report__application=reported)

    response = as_user(getattr(world, name)).get(
        reverse("after_grant:report_attachment_download", args=[attachment.pk])
    )

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF


# --- the staff's overview -----------------------------------------------------------------


def earlier_case(world: SimpleNamespace, status: str) -> Application:
    """An earlier grant of association A, brought to ``status``."""
    earlier = GrantRoundFactory(municipality=world.roskilde, name=f"Tidligere {status}")
    return advance(make_application(round=earlier, association=world.a), world, status)


def deadline_passed(application: Application) -> Application:
    application.round.report_deadline = timezone.localdate() - timedelta(days=1)
    application.round.save()
    return application


def overdue_case(world: SimpleNamespace, status: str) -> Application:
    return deadline_passed(earlier_case(world, status))


def test_the_overview_lists_overdue_awaiting_and_claims_with_constant_queries(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.carl)
    url = reverse("after_grant:usage_reports")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # (Made before any deadline passes: an overdue report would block anna's submissions.)
    paid = earlier_case(world, S.PAID)
    granted = earlier_case(world, S.GRANTED)
    delivered = earlier_case(world, S.REPORT_SUBMITTED)
    reported = reported_with_balance(draft, world)
    deadline_passed(paid)
    small = count()

    deadline_passed(granted)
    deadline_passed(delivered)  # report received: not overdue
    perform(reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING)

    # session, user, the profile (2), overdue, awaiting, claims, the notification badge: fixed.
    assert count() == small
    html = client.get(url).content.decode()
    assert paid.case_number in html and granted.case_number in html
    assert delivered.case_number in html  # awaiting review
    assert reported.case_number in html  # the outstanding claim


@pytest.mark.parametrize("name", ["anna", "bo"])
def test_the_overview_is_for_staff_only(world: SimpleNamespace, as_user: Any, name: str) -> None:
    assert (
        as_user(getattr(world, name)).get(reverse("after_grant:usage_reports")).status_code == 403
    )
    assert as_user(world.gustav).get(reverse("after_grant:usage_reports")).status_code == 200


def test_the_overview_shows_only_the_users_municipality(
    world: SimpleNamespace, as_user: Any
) -> None:
    overdue = overdue_case(world, S.PAID)

    assert (
        overdue.case_number
        in as_user(world.carl).get(reverse("after_grant:usage_reports")).content.decode()
    )
    assert overdue.case_number not in (
        as_user(world.helle).get(reverse("after_grant:usage_reports")).content.decode()
    )


# --- the submit rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "blocks"),
    [
        (S.GRANTED, True),
        (S.PAID, True),
        ("returned", True),
        (S.REPORT_SUBMITTED, False),
        (S.CLOSED, False),
    ],
)
def test_an_overdue_report_blocks_a_new_application_until_it_is_received(
    world: SimpleNamespace, draft: Application, status: str, blocks: bool
) -> None:
    from cases.errors import ConditionsUnmet

    if status == "returned":
        earlier = overdue_case(world, S.REPORT_SUBMITTED)
        perform(earlier, "return_report", user=world.carl, reason="Mangler bilag")
    else:
        overdue_case(world, status)

    if blocks:
        with pytest.raises(ConditionsUnmet):
            perform(draft, "submit", user=world.anna)
    else:
        assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


# --- the trail and the case file ----------------------------------------------------------


def test_the_trail_and_the_case_file_hold_payouts_reports_and_the_claim(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    import io
    import json
    import zipfile

    from cases.trail.timeline import trail_events

    reported = reported_with_balance(draft, world)
    closed = perform(
        reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING
    )
    report = UsageReport.objects.get(application=closed)
    attachment = ReportAttachment.objects.get(report=report)

    from django.utils.translation import override

    with override("en"):
        titles = [e.title for e in trail_events(closed)]
        kind = attachment.get_kind_display()
    for expected in (
        "Payout created",
        "Usage report created",
        "Usage report changed",  # approved: status and reasons
        "Usage report line created",
        "Usage report attachment created",
        "Repayment claim created",
        f"Received with the usage report: regnskab.pdf ({kind})",
    ):
        assert any(t.lower() == expected.lower() for t in titles), (expected, titles)

    response = as_user(world.gustav).get(reverse("audit:application_export", args=[closed.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert f"report-attachments/{report.pk}-{attachment.pk}-regnskab.pdf" in names
    data = json.loads(archive.read("after-grant.json"))
    assert [p["reference"] for p in data["payouts"]] == ["UDB-1"]
    assert data["usage_reports"][0]["lines"] == [
        {"description": "Lektiecafé", "budgeted": "0.00", "spent": "15000.00"}
    ]
    assert data["repayment_claims"][0]["amount"] == "5000.00"


def test_the_application_page_sends_the_report_and_its_approval_to_their_own_pages(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    paid = advance(draft, world, S.PAID)
    page = (
        as_user(world.anna)
        .get(reverse("applications:application_detail", args=[paid.pk]))
        .content.decode()
    )
    assert (
        f'href="{reverse("after_grant:report_submit", args=[paid.pk])}" data-action="submit_report"'
        in page
    )

    reported = perform(paid, "submit_report", user=world.anna, **report_data())
    page = as_user(world.carl).get(reverse("applications:application_detail", args=[reported.pk]))
    html = page.content.decode()
    assert f'href="{reverse("after_grant:report_approve", args=[reported.pk])}"' in html
    attachment = ReportAttachment.objects.get(report__application=reported)
    assert reverse("after_grant:report_attachment_download", args=[attachment.pk]) in html


def test_register_repayment_is_offered_only_while_a_claim_is_outstanding(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    closed = advance(draft, world, S.CLOSED)  # spent in full: nothing to repay
    url = reverse("applications:application_detail", args=[closed.pk])
    assert 'data-action="register_repayment"' not in as_user(world.carl).get(url).content.decode()

    other = make_application(round=world.round, association=world.a)
    other.focus_areas.set([world.focus])
    claimed = perform(
        reported_with_balance(other, world),
        "approve_report",
        user=world.carl,
        settlement="repayment",
        **NO_HEARING,
    )
    url = reverse("applications:application_detail", args=[claimed.pk])
    assert 'data-action="register_repayment"' in as_user(world.carl).get(url).content.decode()
