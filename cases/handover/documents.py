"""What of a case is journalised, and each piece as bytes with its metadata.

The case's documents: the receipt of the application (rendered once, when the case is
first handed over: it says what was received, and a later rendering would be a new PDF of
the same receipt), the association's attachments, the municipality's letters (once
printed), documents received after submission, the usage reports' and the hearing
answers' attachments, and the file notes (as JSON: the note's stable fields, the same as
the case-file export's ``notes.json``). Every file note is part of the file
(notatpligt), so each is journalised.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.documents.receipts import receipt_filename, receipt_pdf
from cases.handover.journal import JournalCase, JournalDocument, JournalParty, kle_number
from cases.models import (
    Application,
    Attachment,
    Document,
    FileNote,
    HandoverObject,
    HearingAttachment,
    ReceivedDocument,
    ReportAttachment,
)
from cases.services.case_notes import note_as_data
from cases.trail.values import local_iso


def _iso(value: Any) -> str | None:
    return local_iso(value) if value else None


K = HandoverObject


class NotReady(Exception):
    """The document cannot be handed over yet (a letter not yet printed) or is gone."""


def is_a_case(application: Application) -> bool:
    """A draft is the association's own: it becomes a case when it is received."""
    return application.submitted_at is not None or application.received_at is not None


def case_metadata(application: Application) -> JournalCase:
    association = application.association
    with override("da"):
        status = str(application.get_status_display())
    return JournalCase(
        municipality_id=application.municipality_id,
        municipality=application.municipality.name,
        case_number=application.case_number,
        title=application.title,
        kle=kle_number(),
        party=JournalParty(
            cvr=association.cvr,
            name=association.name,
            address=association.address,
            postal_code=association.postal_code,
            city=association.city,
        ),
        round=application.round.name,
        status=status,
        dates={
            "received": _iso(application.received_at or application.submitted_at),
            "decided": application.decision_date.isoformat() if application.decision_date else None,
            "closed": _iso(application.closed_at),
        },
    )


def objects_of(application: Application) -> list[tuple[str, int]]:
    """Every (kind, id) of the case that is journalised: the case itself first."""
    pk = application.pk
    found: list[tuple[str, int]] = [(K.CASE, 0), (K.RECEIPT, 0)]
    found += [
        (K.ATTACHMENT, i)
        for i in Attachment.objects.filter(application_id=pk).values_list("pk", flat=True)
    ]
    found += [
        (K.LETTER, i)
        for i in Document.objects.filter(application_id=pk)
        .exclude(pdf="")
        .values_list("pk", flat=True)
    ]
    found += [
        (K.RECEIVED, i)
        for i in ReceivedDocument.objects.filter(application_id=pk).values_list("pk", flat=True)
    ]
    found += [
        (K.REPORT_ATTACHMENT, i)
        for i in ReportAttachment.objects.filter(report__application_id=pk).values_list(
            "pk", flat=True
        )
    ]
    found += [
        (K.HEARING_ATTACHMENT, i)
        for i in HearingAttachment.objects.filter(hearing__application_id=pk).values_list(
            "pk", flat=True
        )
    ]
    found += [
        (K.FILE_NOTE, i)
        for i in FileNote.objects.filter(application_id=pk).values_list("pk", flat=True)
    ]
    return found


def _stored(
    row: Any, field: Any, kind: str, title: str, created: Any, name: str = ""
) -> JournalDocument:
    if not field:
        raise NotReady(_("The file is not there (not yet made, or deleted)."))
    with field.open("rb") as source:
        content = source.read()
    return JournalDocument(
        key=f"{kind}-{row.pk}",
        kind=kind,
        title=title,
        created=created,
        file_name=name or str(field.name).rsplit("/", 1)[-1],
        content=content,
    )


def load(application: Application, kind: str, object_id: int) -> JournalDocument:
    """The document ``kind``/``object_id`` of ``application``; NotReady if it cannot be."""
    pk = application.pk
    if kind == K.RECEIPT:
        with override("da"):
            content = receipt_pdf(application)
            name = receipt_filename(application)
        return JournalDocument(
            key="receipt",
            kind=kind,
            title=f"Kvittering for ansøgning {application.case_number}",
            created=application.received_at or application.submitted_at or timezone.now(),
            file_name=name,
            content=content,
        )
    if kind == K.FILE_NOTE:
        note = FileNote.objects.filter(pk=object_id, application_id=pk).first()
        if note is None:
            raise NotReady(_("The document no longer exists."))
        body = json.dumps(
            {"case_number": application.case_number, "note": note_as_data(note)},
            ensure_ascii=False,
            indent=2,
        )
        return JournalDocument(
            key=f"{kind}-{note.pk}",
            kind=kind,
            title=f"Notat {note.occurred_on.isoformat()}",
            created=note.created_at,
            file_name=f"notat-{note.pk}.json",
            content=(body + "\n").encode("utf-8"),
        )
    if kind == K.LETTER:
        letter = Document.objects.filter(pk=object_id, application_id=pk).first()
        if letter is None:
            raise NotReady(_("The document no longer exists."))
        return _stored(letter, letter.pdf, kind, letter.title, letter.created_at)
    models: dict[str, Any] = {
        K.ATTACHMENT: Attachment.objects.filter(application_id=pk),
        K.RECEIVED: ReceivedDocument.objects.filter(application_id=pk),
        K.REPORT_ATTACHMENT: ReportAttachment.objects.filter(report__application_id=pk),
        K.HEARING_ATTACHMENT: HearingAttachment.objects.filter(hearing__application_id=pk),
    }
    if kind not in models:
        raise ValueError(f"not a document kind: {kind}")
    upload = models[kind].filter(pk=object_id).first()
    if upload is None:
        raise NotReady(_("The document no longer exists."))
    return _stored(
        upload, upload.file, kind, upload.original_name, upload.uploaded_at, upload.original_name
    )
