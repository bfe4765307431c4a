"""One row per day the retention schedule ran: the claim that keeps two beats (or a
beat and a person running ``manage.py apply_retention``) from doing the day twice, and
the counts of what was deleted and anonymised (cases/services/retention_schedule.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.counts}"
