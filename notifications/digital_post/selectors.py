"""How each letter on a case went to Digital Post, for the case file's list of letters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.models import Channel, Notification

if TYPE_CHECKING:
    from cases.models import Application, Document


def letters_with_delivery(application: Application) -> list[tuple[Document, Notification | None]]:
    """The case's letters, each with its Digital Post row (None: not sent by Digital Post,
    e.g. written before Digital Post was switched on). One query beyond the letters, which
    ``cases.selectors.application_detail`` prefetches."""
    rows = Notification.objects.filter(
        application=application, channel=Channel.DIGITAL_POST, document__isnull=False
    ).only("document_id", "status", "sent_at", "last_error")
    posted = {row.document_id: row for row in rows}
    return [(document, posted.get(document.pk)) for document in application.documents.all()]
