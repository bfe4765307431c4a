"""Messages on a case (issue 17): the thread between the association and the municipality.

A message is correspondence in the case's file, so it is append-only like a file note
(``AppendOnlyRow``): never edited nor deleted, only followed by another message. Its files
are received into the case as ``ReceivedDocument`` rows (``ReceivedVia.MESSAGE``), each
chained in the trail with its SHA-256. The message itself is chained as a
``send_message`` event holding the text's fingerprint, not the text: the trail is kept
for ever, the message follows the case's retention (``cases/services/retention_schedule.py``
removes it with the case's files, and the removal record keeps the fingerprint).

The question asked with ``request_info`` and its answer (``provide_info``) are not copied
here: the thread is composed from their transition records (``cases/selectors/messages.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application
from cases.models.notes import AppendOnlyRow


class SentAs(models.TextChoices):
    """The side a message is written for: the association, or the municipality."""

    ASSOCIATION = "association", _("The association")
    MUNICIPALITY = "municipality", _("The municipality")


class CaseMessage(AppendOnlyRow):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="case_messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name the author had when writing, as on the transition record.
    author_name = models.CharField(max_length=300)
    sent_as = models.CharField(_("sent as"), max_length=20, choices=SentAs)
    body = models.TextField(_("message"), max_length=limits.TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.body[:40]}"
