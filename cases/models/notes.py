"""File notes (notatpligt, offentlighedsloven § 13) and documents received after submission.

Both are records of what the municipality learnt, so both are append-only: a note is
never edited nor deleted — a mistake is followed by a correcting note that points to
the one it corrects — and a document received stays as it came. The guard is here, at
the model (``save`` of an existing row, ``delete``, the bulk paths); each row is also
chained in the case's trail when it is written (``cases/services/case_notes.py``,
``cases/services/case_documents.py``), and ``verify_trail`` checks that every row
still has its record and matches it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application
from cases.models.uploads import StoredUpload


class AppendOnlyRowError(RuntimeError):
    """A file note or a received document was to be changed or removed."""


class _AppendOnlyQuerySet(models.QuerySet):
    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyRowError(
            f"{self.model._meta.verbose_name_plural} are never changed nor deleted."
        )

    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    # One at a time, through save(): each gets its history row and its trail record.
    bulk_create = _refuse


class AppendOnlyRow(models.Model):
    """Saved once, never again; never deleted."""

    objects = models.Manager.from_queryset(_AppendOnlyQuerySet)()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyRowError(
                f"A {self._meta.verbose_name} is never changed: write a correcting one instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyRowError(f"A {self._meta.verbose_name} is never deleted.")

    def delete_at_retention(self) -> Any:
        """The one way out: the case's retention has run out. Only the retention schedule
        calls this (cases/services/retention_schedule.py), in the transaction that chains
        the row's name, size and SHA-256 to the case's trail ("remove_files")."""
        return super().delete()


class NoteConcerns(models.TextChoices):
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class FileNote(AppendOnlyRow):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="file_notes"
    )
    text = models.TextField(_("note"), max_length=limits.TEXT)
    concerns = models.CharField(
        _("what it concerns"), max_length=20, choices=NoteConcerns, blank=True
    )
    occurred_on = models.DateField(_("occurred on"))
    visible_to_applicant = models.BooleanField(_("visible to the applicant"), default=False)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name and role the author had when writing, as on the transition record.
    author_name = models.CharField(max_length=300)
    role = models.CharField(max_length=30)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("file note")
        verbose_name_plural = _("file notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.text[:40]}"


class ReceivedVia(models.TextChoices):
    """How a document reached the case. The association's own channels (APPLICANT_CHANNELS:
    they see those documents on their case) and the thread's messages, written by either
    side (issue 17); the others are registered by staff."""

    ANSWER = "answer", _("With an answer to a question")
    HEARING = "hearing", _("With an answer to a hearing")
    POST = "post", _("By post")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("Handed in")
    # Issue 17: attached to a message on the case (cases/services/case_messages.py).
    MESSAGE = "message", _("With a message on the case")


APPLICANT_CHANNELS = frozenset({ReceivedVia.ANSWER, ReceivedVia.HEARING, ReceivedVia.MESSAGE})


def received_document_path(instance: ReceivedDocument, filename: str) -> str:
    return f"received/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class ReceivedDocument(AppendOnlyRow, StoredUpload):
    """A document received on a case after submission, registered with its date and SHA-256."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="received_documents"
    )
    file = models.FileField(_("file"), upload_to=received_document_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    received_via = models.CharField(_("received"), max_length=20, choices=ReceivedVia)
    received_on = models.DateField(_("received on"))
    description = models.TextField(_("description"), max_length=limits.TEXT, blank=True)

    class Meta:
        verbose_name = _("received document")
        verbose_name_plural = _("received documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def from_applicant(self) -> bool:
        return self.received_via in APPLICANT_CHANNELS
