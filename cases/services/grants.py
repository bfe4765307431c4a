"""After the grant: what a usage report must carry, checking one, and the staff's overview.

The flow's transitions (``workflows/application.py``) call these; nothing here
changes an application's status.

- ``report_requirement``: the municipality's tier for a granted amount
  (``ReportTier`` rows, else ``DEFAULT_REPORT_TIERS``).
- ``parse_report``: the association's report checked as a whole; every problem is
  reported at once, keyed by the form field it belongs to. The unspent balance is
  *computed* (paid − spent, never below 0), not typed, so it cannot disagree.
- ``store_report``: writes the report, its lines and its attachments. Files are
  written last and deleted again if anything after them fails, so a refused report
  leaves neither a row nor a file.
- ``overdue_applications`` / ``usage_report_overview``: reports past the round's
  deadline (also when a returned report was not sent again), reports awaiting review,
  and outstanding repayment claims.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import limits, upload_quota
from cases.errors import InvalidInput
from cases.formatting import AmountError, money, to_amount
from cases.models import Application, ApplicationStatus, StatusGroup, UsageReport, UsageReportStatus
from cases.models.after_grant import (
    DEFAULT_REPORT_TIERS,
    CarryOver,
    RepaymentClaim,
    ReportAttachment,
    ReportAttachmentKind,
    ReportRequirement,
    ReportTier,
    UsageReportLine,
)
from cases.parsing import parse_int, too_long
from cases.uploads import check_upload

MAX_COUNT = 2_147_483_647
# Statuses in which the usage report is still owed (a returned report puts the case back to paid).


def report_requirement(application: Application) -> str:
    """The documentation the report needs for the amount granted."""
    tiers: list[tuple[Decimal, str]] = list(
        ReportTier.objects.filter(municipality_id=application.municipality_id)
        .order_by("from_amount")
        .values_list("from_amount", "requirement")
    ) or list(DEFAULT_REPORT_TIERS)
    granted = application.granted_amount or Decimal("0")
    chosen = ReportRequirement.DECLARATION.value
    for from_amount, requirement in tiers:
        if granted >= from_amount:
            chosen = requirement
    return str(chosen)


def required_attachment_kinds(requirement: str) -> list[str]:
    if requirement == ReportRequirement.AUDITED_ACCOUNTS:
        return [ReportAttachmentKind.ACCOUNTS, ReportAttachmentKind.AUDITOR_ENDORSEMENT]
    if requirement == ReportRequirement.ACCOUNTS:
        return [ReportAttachmentKind.ACCOUNTS]
    return []


def paid_total(application: Application) -> Decimal:
    total = application.payouts.aggregate(total=Sum("amount"))["total"]
    # SQLite's SUM loses the scale; PostgreSQL keeps it: the same on both.
    return Decimal(total or 0).quantize(Decimal("0.01"))


def parse_amount(value: Any) -> Decimal | None:
    """A non-negative amount in kroner, or None when it is not one."""
    try:
        return to_amount(value)
    except AmountError:
        return None


@dataclass
class ParsedReport:
    description: str
    participants_reached: int
    volunteers_involved: int
    lines: list[dict[str, Any]]
    spent: Decimal
    paid: Decimal
    unspent: Decimal
    overspend_explanation: str
    declaration_on_honour: bool
    attachments: list[tuple[str, Any, str]] = field(default_factory=list)
    requirement: str = ""


def _count(value: Any, name: str, errors: dict[str, list[str]]) -> int:
    if value in (None, ""):
        return 0
    number = parse_int(value, minimum=None, maximum=None, signed=True)
    if number is None:
        errors.setdefault(name, []).append(_("Enter a whole number."))
        return 0
    if number < 0:
        errors.setdefault(name, []).append(_("The number cannot be negative."))
    elif number > MAX_COUNT:
        errors.setdefault(name, []).append(_("The number is too large."))
    return number


def _lines(
    application: Application, lines: Any, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    budget = {b.pk: b for b in application.budget_lines.all()}
    parsed: list[dict[str, Any]] = []
    if not isinstance(lines, list | tuple):
        lines = []
    for position, line in enumerate(lines):
        if not isinstance(line, dict):
            continue
        budget_line = budget.get(line.get("budget_line")) if line.get("budget_line") else None
        if line.get("budget_line") and budget_line is None:
            errors.setdefault("lines", []).append(
                _("Line %(n)s refers to a budget line of another application.")
                % {"n": position + 1}
            )
            continue
        description = (
            budget_line.description
            if budget_line
            else str(line.get("description") or "").strip()[: limits.SHORT_TEXT]
        )
        spent = parse_amount(line.get("spent"))
        if spent is None:
            errors.setdefault("lines", []).append(
                _("Line “%(line)s”: enter the amount spent in kroner; it cannot be negative.")
                % {"line": description or position + 1}
            )
            continue
        if not description:
            errors.setdefault("lines", []).append(
                _("Line %(n)s: describe what the amount was spent on.") % {"n": position + 1}
            )
            continue
        parsed.append(
            {
                "budget_line": budget_line,
                "description": description,
                "budgeted": budget_line.amount if budget_line else Decimal("0"),
                "spent": spent,
                "position": position,
            }
        )
    if not parsed and "lines" not in errors:
        errors["lines"] = [_("Enter the amount spent on at least one budget line.")]
    return parsed


def _attachments(attachments: Any, errors: dict[str, list[str]]) -> list[tuple[str, Any, str]]:
    checked = []
    for kind, upload in attachments or ():
        if kind not in ReportAttachmentKind.values:
            errors.setdefault("attachments", []).append(_("Unknown kind of attachment."))
            continue
        try:
            content_type = check_upload(upload)
        except ValidationError as error:
            errors.setdefault(kind, []).extend(error.messages)
            continue
        checked.append((kind, upload, content_type))
    return checked


def parse_report(application: Application, data: dict[str, Any]) -> ParsedReport:
    """Check the whole report; raise ``InvalidInput`` with every problem at once."""
    errors: dict[str, list[str]] = {}
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Describe what the grant was used for.")]
    participants = _count(data.get("participants_reached"), "participants_reached", errors)
    volunteers = _count(data.get("volunteers_involved"), "volunteers_involved", errors)
    lines = _lines(application, data.get("lines"), errors)
    spent = sum((line["spent"] for line in lines), Decimal("0"))
    paid = paid_total(application)
    explanation = str(data.get("overspend_explanation") or "").strip()
    for name, text in (("description", description), ("overspend_explanation", explanation)):
        if len(text) > limits.TEXT:
            errors[name] = [too_long(limits.TEXT, len(text))]
    if spent > paid and not explanation and "lines" not in errors:
        errors["overspend_explanation"] = [
            _(
                "You report %(spent)s spent, more than the %(paid)s paid out. "
                "Explain how the difference was paid for."
            )
            % {"spent": money(spent), "paid": money(paid)}
        ]
    declaration = data.get("declaration_on_honour") in (True, "true", "on", "1", 1)
    requirement = report_requirement(application)
    attachments = _attachments(data.get("attachments"), errors)
    try:
        upload_quota.check_room(application, [upload.size for _k, upload, _t in attachments])
    except ValidationError as error:
        errors.setdefault(attachments[0][0], []).extend(error.messages)
    if requirement == ReportRequirement.DECLARATION and not declaration:
        errors["declaration_on_honour"] = [
            _("For a grant of this size, confirm the declaration on honour.")
        ]
    kinds = {kind for kind, _upload, _type in attachments}
    for kind in required_attachment_kinds(requirement):
        if kind not in kinds and kind not in errors:
            errors[kind] = [
                _("A grant of %(granted)s needs this attachment: %(kind)s.")
                % {
                    "granted": money(application.granted_amount or Decimal("0")),
                    "kind": ReportAttachmentKind(kind).label,
                }
            ]
    if errors:
        raise InvalidInput(errors)
    return ParsedReport(
        description=description,
        participants_reached=participants,
        volunteers_involved=volunteers,
        lines=lines,
        spent=spent,
        paid=paid,
        unspent=max(paid - spent, Decimal("0")),
        overspend_explanation=explanation,
        declaration_on_honour=declaration,
        attachments=attachments,
        requirement=requirement,
    )


def store_report(*, application: Application, parsed: ParsedReport, actor: Any) -> UsageReport:
    """Write the report with its lines, then its files; on any failure no file stays behind."""
    report = UsageReport(
        application=application,
        description=parsed.description,
        participants_reached=parsed.participants_reached,
        volunteers_involved=parsed.volunteers_involved,
        amount_spent=parsed.spent,
        unspent_amount=parsed.unspent,
        overspend_explanation=parsed.overspend_explanation,
        declaration_on_honour=parsed.declaration_on_honour,
        submitted_by=actor,
    )
    report._history_user = actor  # type: ignore[attr-defined]
    report.save()
    for line in parsed.lines:
        row = UsageReportLine(report=report, **line)
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
    stored: list[Any] = []
    try:
        for kind, upload, content_type in parsed.attachments:
            attachment = ReportAttachment(
                report=report,
                kind=kind,
                original_name=str(upload.name)[:255],
                size=upload.size,
                content_type=content_type,
                uploaded_by=actor,
            )
            attachment._history_user = actor  # type: ignore[attr-defined]
            attachment.file.save(str(upload.name), upload, save=False)
            stored.append(attachment.file)
            attachment.save()
    except BaseException:
        delete_files(stored)
        raise
    report._stored_files = stored  # type: ignore[attr-defined]
    return report


def delete_files(files: Iterable[Any]) -> None:
    for stored in files:
        with contextlib.suppress(OSError):  # best effort: the row is gone either way
            stored.storage.delete(stored.name)


def overdue_applications(
    *,
    municipality_ids: Iterable[int],
    association_id: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Application]:
    """Granted or paid (incl. a returned report) and past the round's usage report deadline
    (``today``'s, by default the municipality's day now)."""
    qs = Application.objects.filter(
        municipality_id__in=list(municipality_ids),
        status__in=StatusGroup.REPORT_OWED,
        round__report_deadline__lt=today or timezone.localdate(),
    )
    if association_id is not None:
        qs = qs.filter(association_id=association_id)
    return qs


def usage_report_overview(municipality_ids: Iterable[int]) -> dict[str, Any]:
    """The staff's overview: three lists, three queries, whatever the number of rows."""
    ids = list(municipality_ids)
    overdue = list(
        overdue_applications(municipality_ids=ids)
        .select_related("association", "round", "municipality")
        .order_by("round__report_deadline", "case_number")
    )
    awaiting = list(
        UsageReport.objects.filter(
            application__municipality_id__in=ids,
            application__status=ApplicationStatus.REPORT_SUBMITTED,
            status=UsageReportStatus.SUBMITTED,
        )
        .select_related("application__association", "application__municipality")
        .order_by("submitted_at", "id")
    )
    claims = list(
        RepaymentClaim.objects.filter(application__municipality_id__in=ids, paid_on__isnull=True)
        .select_related("application__association", "application__municipality")
        .order_by("due_on", "id")
    )
    return {"overdue": overdue, "awaiting": awaiting, "claims": claims}


def after_grant_context(application: Application) -> dict[str, Any]:
    """The application page's payouts, reports (lines, attachments), claims and carry-overs.

    Four queries, however many reports: skipped entirely before a grant.
    """
    if application.granted_amount is None:
        return {
            "reports": [],
            "claims": [],
            "carry_overs": [],
            "paid_total": Decimal("0"),
        }
    reports = list(
        UsageReport.objects.filter(application=application)
        .prefetch_related("lines", "attachments")
        .order_by("submitted_at", "id")
    )
    claims = list(RepaymentClaim.objects.filter(application=application))
    return {
        "reports": reports,
        "claims": claims,
        "carry_overs": list(CarryOver.objects.filter(application=application)),
        "paid_total": sum((p.amount for p in application.payouts.all()), Decimal("0")),
    }
