"""The outbox channel of Digital Post: one row, one MeMo message, handed to the sender.

The letter's PDF is the one kept on the case. A letter is printed after its transition
commits (``cases.tasks.print_letter``); when the row is delivered before that task has run,
this channel prints and stores it first (``letter_print``: locked, done once), so the
association receives exactly the bytes the case file keeps. That is the one write a
channel makes besides sending, and it is the letter's own, not the outbox's.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from notifications.digital_post import memo, senders
from notifications.digital_post.senders import DigitalPostError
from notifications.models import Notification


def message_for(notification: Notification) -> bytes:
    """The row's MeMo message: the same bytes on every attempt."""
    application = notification.application
    if application is None or notification.memo_uuid is None:
        raise DigitalPostError("A Digital Post row must name its application and message UUID.")
    municipality = application.municipality
    sender_cvr = municipality.cvr or settings.DIGITAL_POST_SENDER_CVR
    if not sender_cvr:
        raise DigitalPostError(
            f"{municipality.name} has no CVR number to send Digital Post from: enter it on "
            "the municipality in the admin (or set PULJEFLOW_DIGITAL_POST_SENDER_CVR)."
        )
    if notification.document_id is not None:
        from cases.documents.letters import letter_print

        document = letter_print(notification.document)  # type: ignore[arg-type]
        with document.pdf.open("rb") as stream:
            content = stream.read()
        label = document.title
        file = memo.Attachment(
            content=content,
            filename=Path(document.pdf.name).name.split("-", 1)[-1],
            mime_type="application/pdf",
            language=notification.language,
        )
        document_id = f"document-{document.pk}"
    else:
        label = notification.subject
        file = memo.Attachment(
            content=notification.body_text.encode("utf-8"),
            filename=f"{notification.kind}.txt",
            mime_type="text/plain",
            language=notification.language,
        )
        document_id = f"notification-{notification.pk}"
    return memo.build(
        memo.Letter(
            message_uuid=notification.memo_uuid,
            created=notification.created_at,
            label=label,
            legal_notice=notification.is_legal_notice,
            sender=memo.Party(cvr=sender_cvr, name=municipality.name),
            recipient=memo.Party(cvr=notification.recipient_cvr, name=application.association.name),
            case_number=application.case_number,
            document_id=document_id,
            document_label=label,
            file=file,
        )
    )


class DigitalPostChannel:
    def send(self, notification: Notification) -> None:
        if notification.memo_uuid is None:
            raise DigitalPostError("A Digital Post row must carry its message UUID.")
        senders.current().send(notification.memo_uuid, message_for(notification))
