"""What Puljeflow hands to the municipality's other systems (issue 18, item 6).

- ``Handover``: one row per object and target system, an outbox of its own: a case or one
  of its documents to be journalised in the ESDH. Written pending when there is something
  to hand over, claimed by one conditional UPDATE (``cases/handover/runner.py``), done or
  failed (retried by beat's sweep with a growing wait).
- ``PaymentRun`` and ``PaymentRunItem``: a payment file to the finance system; a payout is
  in at most one run (the unique payout of ``PaymentRunItem``). The file is kept as it was
  handed over, so a download gives the same bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.after_grant import Payout
from cases.models.applications import Application
from cases.models.common import MONEY
from cases.models.municipalities import Municipality


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be handed over")
    DONE = "done", _("Handed over")
    FAILED = "failed", _("Hand-over failed")


class HandoverObject(models.TextChoices):
    """What is handed over: the case itself or one of its documents."""

    CASE = "case", _("The case")
    RECEIPT = "receipt", _("Receipt of the application")
    ATTACHMENT = "attachment", _("Attachment to the application")
    LETTER = "letter", _("Letter")
    RECEIVED = "received", _("Document received")
    REPORT_ATTACHMENT = "report_attachment", _("Attachment to the usage report")
    HEARING_ATTACHMENT = "hearing_attachment", _("Attachment to a hearing answer")
    FILE_NOTE = "file_note", _("File note")


class Handover(models.Model):
    """One object (the case or a document: ``kind`` + ``object_id``) for one ``target``."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="handovers")
    target = models.CharField(_("system"), max_length=20)
    kind = models.CharField(_("what"), max_length=20, choices=HandoverObject)
    # The document's id in its own table; 0 for the case itself.
    object_id = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=HandoverStatus, default=HandoverStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Due from then on; while an attempt runs, the end of its lease.
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=2000, blank=True)
    # What was handed over last: the system's reference, the content's SHA-256, its version.
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=0)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["application", "kind", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "application", "kind", "object_id"],
                name="unique_handover_per_object_and_target",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.target}: {self.application_id} {self.kind} {self.object_id}"


class PaymentRun(models.Model):
    """A payment file handed to the finance system: the payouts in it, their total, the file."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="payment_runs"
    )
    target = models.CharField(_("system"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    count = models.PositiveIntegerField(_("payouts"), default=0)
    total = models.DecimalField(_("total (DKK)"), **MONEY)
    # The finance file exactly as handed over (cases/handover/finance.py documents it).
    file_name = models.CharField(_("file name"), max_length=100)
    content = models.TextField(max_length=limits.TEXT * 20)
    sha256 = models.CharField(_("fingerprint (SHA-256)"), max_length=64)
    # The finance system's reference for the file (the folder adapter: the file's path).
    reference = models.CharField(_("reference"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class PaymentRunItem(models.Model):
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items")
    # One run per payout, ever: the database refuses a second (OneToOne is unique).
    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="payment_run_item")
    # The line as it went into the file: the CSV download is rebuilt from these.
    cvr = models.CharField(max_length=8)
    association = models.CharField(max_length=limits.SHORT_TEXT)
    case_number = models.CharField(max_length=12)
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=limits.REFERENCE)
    account = models.CharField(max_length=42)
    text = models.CharField(max_length=35)

    class Meta:
        verbose_name = _("payout in a payment run")
        verbose_name_plural = _("payouts in payment runs")
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.payout_id}"
