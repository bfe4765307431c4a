"""A round's complete export, made in the background (``cases/services/round_exports.py``).

The export holds the decisions (CSV and XLSX) and every case's complete file with a
summary PDF each: minutes of work for a round of hundreds of cases, so a Celery worker
makes it and the page waits for it, never a web process. One row per request: who asked,
for which round, in which language, when it was started, finished or given up, and the
file with its size and SHA-256 until it is deleted (``PULJEFLOW_EXPORT_KEEP_HOURS``).

A working record, like the outbox: nobody edits it. The worker claims it with a
conditional UPDATE (two workers cannot both make it) and writes its progress every few
seconds (the page shows it; a silent start is taken over), so it has no version rows; the
row itself is the record of who took the round's data out, and it is kept when the file
is deleted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.rounds import GrantRound


def round_export_path(instance: RoundExport, filename: str) -> str:
    return f"exports/{instance.grant_round.municipality_id}/{instance.pk}/{filename}"


class ExportState(models.TextChoices):
    """Derived from the row's times (``RoundExport.state``), never stored."""

    WAITING = "waiting", _("In the queue")
    MAKING = "making", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be made")
    DELETED = "deleted", _("Deleted")


class RoundExport(models.Model):
    grant_round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="exports", verbose_name=_("round")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ordered by"),
    )
    requested_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    # The language of the page it was asked for on: the CSV's headings, the PDFs' words.
    language = models.CharField(_("language"), max_length=8)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The worker's last sign of life while it makes the export (after each case): a start
    # silent for PULJEFLOW_EXPORT_STALE_MINUTES lost its worker.
    alive_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    cases_done = models.PositiveIntegerField(_("cases written"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=round_export_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("fingerprint (SHA-256)"), max_length=64, blank=True)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("round export")
        verbose_name_plural = _("round exports")
        ordering = ["-requested_at", "-id"]
        indexes = [
            # The sweep: unfinished exports, and finished files to delete.
            models.Index(fields=["finished_at", "failed_at"], name="round_export_open"),
        ]
        constraints = [
            # One export being made per person and round: a second order (a double click)
            # finds the first (``request_export``).
            models.UniqueConstraint(
                fields=["grant_round", "requested_by"],
                condition=models.Q(finished_at__isnull=True, failed_at__isnull=True),
                name="round_export_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant_round_id}/{self.pk}"

    @property
    def state(self) -> ExportState:
        if self.failed_at:
            return ExportState.FAILED
        if self.deleted_at:
            return ExportState.DELETED
        if self.finished_at:
            return ExportState.READY
        return ExportState.MAKING if self.started_at else ExportState.WAITING

    @property
    def unfinished(self) -> bool:
        return self.state in (ExportState.WAITING, ExportState.MAKING)

    @property
    def deleted_after(self) -> datetime.datetime | None:
        """When the file is deleted (the sweep deletes it at its first run after this)."""
        if self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(hours=settings.PULJEFLOW_EXPORT_KEEP_HOURS)
