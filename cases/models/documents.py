"""Documents the municipality produced for a case: letters, stored as HTML and PDF; and the
complaint guidance a municipality writes per kind of letter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application
from cases.models.common import history
from cases.models.municipalities import Municipality
from cases.trail.history import AuditedManager


class DocumentKind(models.TextChoices):
    # Before issue 16 every letter was a decision letter; those documents keep the kind.
    DECISION_LETTER = "decision_letter", _("Decision letter")
    # Afvisning: the application is not considered at all (late, or not eligible by the
    # round's formal conditions). Afslag: refused on the merits.
    REJECTION = "rejection", _("Rejection (not considered)")
    REFUSAL = "refusal", _("Refusal")
    PARTIAL_GRANT = "partial_grant", _("Partial grant")
    GRANT = "grant", _("Grant")
    REPORT_RETURNED = "report_returned", _("Usage report returned")
    REPAYMENT_CLAIM = "repayment_claim", _("Repayment claim")


# The letters that decide against the association (in whole or in part) or ask something of it.
GUIDED_KINDS = (
    DocumentKind.REJECTION,
    DocumentKind.REFUSAL,
    DocumentKind.PARTIAL_GRANT,
    DocumentKind.REPORT_RETURNED,
    DocumentKind.REPAYMENT_CLAIM,
)

# A rejection, a refusal, a partial grant and a repayment claim carry the default guidance
# (``DEFAULT_COMPLAINT_GUIDANCE``: no administrative appeal under servicelovens § 18 or
# § 79). A returned report is no decision yet, so its default says so instead.
REPORT_RETURNED_GUIDANCE = _(
    "Returning the report is not a decision on your grant: the municipality decides on the "
    "report when you have sent it again. If you disagree with what we ask you to correct, "
    "contact the case officer."
)


def default_complaint_text(kind: str = "") -> str:
    """The default guidance for a letter of ``kind``, in the active language."""
    from cases.models.municipalities import DEFAULT_COMPLAINT_GUIDANCE

    if kind == DocumentKind.REPORT_RETURNED:
        return str(REPORT_RETURNED_GUIDANCE)
    return str(DEFAULT_COMPLAINT_GUIDANCE)


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


class ComplaintGuidance(models.Model):
    """A municipality's complaint guidance for one kind of letter (``Municipality.complaint_text``)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="complaint_texts"
    )
    kind = models.CharField(
        _("kind of letter"), max_length=20, choices=[(k.value, k.label) for k in GUIDED_KINDS]
    )
    text = models.TextField(_("complaint guidance"), max_length=limits.TEXT)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("complaint guidance for a kind of letter")
        verbose_name_plural = _("complaint guidance per kind of letter")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind"], name="unique_complaint_guidance_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.get_kind_display()}"
