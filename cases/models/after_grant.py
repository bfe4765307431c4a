"""After the grant: what the usage report must carry, what it says, and how it is settled.

- ``ReportTier``: from a granted amount on, the documentation the report needs
  (the municipality configures its tiers; ``DEFAULT_REPORT_TIERS`` applies until it does).
- ``UsageReportLine``: the amount spent against each budget line of the application.
- ``ReportAttachment``: accounts, an auditor's endorsement or other documents sent with
  the report.
- ``RepaymentClaim`` / ``CarryOver``: what happens to an unspent balance when the case
  officer approves the report; each is recorded, and a claim is later marked paid.

The rows are written by the flow's transitions (``workflows/application.py``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application
from cases.models.common import MONEY, history
from cases.models.uploads import StoredUpload
from cases.parsing import validate_date_window
from cases.trail.history import AuditedManager, audited_history


class Payout(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payouts")
    paid_on = models.DateField(_("payment date"), validators=[validate_date_window])
    amount = models.DecimalField(_("amount (DKK)"), **MONEY)
    reference = models.CharField(_("payment reference"), max_length=limits.REFERENCE)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.paid_on}: {self.amount}"


class UsageReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class UsageReport(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="usage_reports"
    )
    description = models.TextField(_("what was done"), max_length=limits.TEXT)
    participants_reached = models.PositiveIntegerField(_("participants reached"), default=0)
    volunteers_involved = models.PositiveIntegerField(_("volunteers involved"), default=0)
    amount_spent = models.DecimalField(_("amount spent (DKK)"), **MONEY)
    unspent_amount = models.DecimalField(_("unspent balance (DKK)"), default=Decimal("0"), **MONEY)
    overspend_explanation = models.TextField(
        _("explanation of spending beyond the grant"), blank=True, max_length=limits.TEXT
    )
    declaration_on_honour = models.BooleanField(
        _("I declare on honour that the grant was used as described"), default=False
    )
    # Set by the case officer's transitions (return_report / approve_report).
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=UsageReportStatus,
        default=UsageReportStatus.SUBMITTED,
        editable=False,
    )
    review_reasons = models.TextField(
        _("case officer's reasons"), blank=True, editable=False, max_length=limits.TEXT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("usage report")
        verbose_name_plural = _("usage reports")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount_spent}"


class ReportRequirement(models.TextChoices):
    DECLARATION = "declaration", _("Declaration on honour")
    ACCOUNTS = "accounts", _("Accounts")
    AUDITED_ACCOUNTS = "audited_accounts", _("Accounts with an auditor's endorsement")


# Used for a municipality that has configured no tiers of its own.
DEFAULT_REPORT_TIERS: list[tuple[Decimal, str]] = [
    (Decimal("0"), ReportRequirement.DECLARATION),
    (Decimal("10000"), ReportRequirement.ACCOUNTS),
    (Decimal("100000"), ReportRequirement.AUDITED_ACCOUNTS),
]


class ReportTier(models.Model):
    """From ``from_amount`` granted on, the usage report needs ``requirement``."""

    municipality = models.ForeignKey(
        "cases.Municipality", on_delete=models.CASCADE, related_name="report_tiers"
    )
    from_amount = models.DecimalField(_("from amount granted (DKK)"), **MONEY)
    requirement = models.CharField(
        _("the usage report needs"), max_length=20, choices=ReportRequirement
    )

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("usage report tier")
        verbose_name_plural = _("usage report tiers")
        ordering = ["municipality", "from_amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "from_amount"], name="unique_report_tier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_amount}: {self.get_requirement_display()}"


class UsageReportLine(models.Model):
    report = models.ForeignKey("cases.UsageReport", on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        "cases.BudgetLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=limits.SHORT_TEXT)
    budgeted = models.DecimalField(_("budgeted (DKK)"), default=Decimal("0"), **MONEY)
    spent = models.DecimalField(_("spent (DKK)"), **MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("usage report line")
        verbose_name_plural = _("usage report lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.spent}"


class ReportAttachmentKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    AUDITOR_ENDORSEMENT = "auditor_endorsement", _("Auditor's endorsement")
    OTHER = "other", _("Other")


def report_attachment_path(instance: ReportAttachment, filename: str) -> str:
    # The stored name is ours; the original name is kept only as data.
    return f"reports/{instance.report.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class ReportAttachment(StoredUpload):
    report = models.ForeignKey(
        "cases.UsageReport", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportAttachmentKind)
    file = models.FileField(_("file"), upload_to=report_attachment_path, max_length=300)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("usage report attachment")
        verbose_name_plural = _("usage report attachments")
        ordering = ["kind", "uploaded_at", "id"]


class RepaymentClaim(models.Model):
    """The municipality's claim for an unspent balance; ``paid_on`` is set when it is repaid."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="repayment_claims"
    )
    report = models.ForeignKey(
        "cases.UsageReport", on_delete=models.PROTECT, related_name="repayment_claims"
    )
    amount = models.DecimalField(_("amount to repay (DKK)"), **MONEY)
    due_on = models.DateField(_("due date"), validators=[validate_date_window])
    paid_on = models.DateField(
        _("repaid on"), null=True, blank=True, validators=[validate_date_window]
    )
    paid_reference = models.CharField(
        _("payment reference"), max_length=limits.REFERENCE, blank=True
    )
    # What the association writes on its transfer (the claim's letter states it): the case
    # number and the claim's number on the case, fixed when the claim is made.
    payment_reference = models.CharField(
        _("reference to pay with"), max_length=limits.REFERENCE, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("repayment claim")
        verbose_name_plural = _("repayment claims")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["paid_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount} ({self.due_on})"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    def assign_payment_reference(self) -> None:
        """Number the claim on its case (1, 2, …) before it is first saved: "2027-0042-1".

        The caller holds the application's row locked (a transition), so two claims on one
        case cannot take the same number."""
        number = RepaymentClaim.objects.filter(application_id=self.application_id).count() + 1
        self.payment_reference = f"{self.application.case_number}-{number}"


class CarryOver(models.Model):
    """An unspent balance the association may keep for the activity, approved on request."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="carry_overs"
    )
    report = models.ForeignKey(
        "cases.UsageReport", on_delete=models.PROTECT, related_name="carry_overs"
    )
    amount = models.DecimalField(_("amount carried over (DKK)"), **MONEY)
    reason = models.TextField(_("reason"), max_length=limits.TEXT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        ordering = ["approved_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount}"
