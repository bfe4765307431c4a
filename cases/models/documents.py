"""Documents the municipality produced for a case: letters, stored as HTML and PDF."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.applications import Application
from cases.models.common import history
from cases.trail.history import AuditedManager


class DocumentKind(models.TextChoices):
    DECISION_LETTER = "decision_letter", _("Decision letter")


def document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class Document(models.Model):
    """A document the municipality produced and sent on a case (journalised with its date)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    title = models.CharField(max_length=200)
    pdf = models.FileField(upload_to=document_path, max_length=300)
    html = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
