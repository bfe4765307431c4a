"""One row per day the retention schedule ran: the claim that keeps two beats (or a
beat and a person running ``manage.py apply_retention``) from doing the day twice, and
the counts of what was deleted and anonymised (cases/services/retention_schedule.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class RetentionRun(models.Model):
    day = models.DateField(pgettext_lazy("retention", "day"), unique=True)
    started_at = models.DateTimeField(pgettext_lazy("retention", "started"), auto_now_add=True)
    finished_at = models.DateTimeField(
        pgettext_lazy("retention", "finished"), null=True, blank=True
    )
    counts = models.JSONField(pgettext_lazy("retention", "counts"), default=dict, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("retention", "retention run")
        verbose_name_plural = pgettext_lazy("retention", "retention runs")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.counts}"
