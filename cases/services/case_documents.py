"""Documents received on a case after submission (journalisering): one service for every way
they come in.

- the association sends them with an answer to a question (``provide_info``, workflows/)
  or to a hearing (the hearing part calls ``receive_document`` with ``source="hearing"``);
- the case officer registers what came by post, by e-mail or by hand
  (``document_register``).

A received document is its own model (``ReceivedDocument``), not an ``Attachment``: an
attachment belongs to the application as submitted — it has a kind from the round's
list, and the association may replace it while drafting — whereas a document received
later is a fact in the case's file with a date and a channel, never changed nor removed.
Both count against the same quota (``cases.upload_quota``).

Each document is checked as every upload is (``cases.uploads.check_upload``: type,
content, size, virus scan), stored through Django's storage, and chained in the case's
trail as a ``receive_document`` event carrying its SHA-256, so the file handed out
later can be proven to be the one received.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import limits, permissions, roles, upload_quota
from cases.models import (
    APPLICANT_CHANNELS,
    Application,
    ReceivedDocument,
    ReceivedVia,
    Role,
)
from cases.services.case_events import record_case_event
from cases.trail.disclosure import sees_whole_trail
from cases.uploads import check_upload, safe_name

FLOW = "documents"
EVENT = "receive_document"
# What staff register; the applicant's own channels come through their answers.
REGISTERED_VIA = [
    (value, label) for value, label in ReceivedVia.choices if value not in APPLICANT_CHANNELS
]


def sha256_of(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _role(user: Any, application: Application) -> str:
    if roles.represents(user, application):
        return roles.APPLICANT
    return permissions.note_role(user, application) or str(Role.CASE_OFFICER)


def receive_document(
    application: Application,
    file: Any,
    *,
    by: Any,
    source: str,
    note: str = "",
    received_on: datetime.date | None = None,
    content_type: str | None = None,
) -> ReceivedDocument:
    """Store ``file`` as received on the case and chain it in the trail.

    ``source``: a ``ReceivedVia`` value. ``content_type``: what ``check_upload`` returned
    if the caller has checked the file already (a form did); otherwise it is checked here.
    Checks the case's quota with its row locked. Raises ``ValidationError`` (the file's
    problem) for the caller to show at its file field. Who may send is the caller's rule
    (the transition's permission, or ``document_register``'s).
    """
    if source not in ReceivedVia.values:
        raise ValueError(f"Unknown channel {source!r}")
    if content_type is None:
        content_type = check_upload(file)
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        upload_quota.check_room(application, [file.size or 0])
        document = ReceivedDocument(
            application=application,
            original_name=safe_name(file.name or "file")[:255],
            size=file.size or 0,
            content_type=content_type,
            uploaded_by=by,
            sha256=sha256_of(file),
            received_via=source,
            received_on=received_on,
            description=(note or "").strip()[: limits.TEXT],
        )
        document.file.save(safe_name(file.name or "file"), file, save=False)
        try:
            document.save()
            record_case_event(
                application,
                flow=FLOW,
                event=EVENT,
                actor=by,
                role=_role(by, application),
                reason=document.description,
                **document_payload(document),
            )
        except BaseException:
            delete_stored([document])
            raise
    return document


def receive_all(
    application: Application, checked: Any, *, by: Any, source: str, note: str = ""
) -> list[ReceivedDocument]:
    """Several checked files (``workflows.inputs.CheckedUpload``: ``upload``,
    ``content_type``) sent together; if one fails, none of the files stays in storage."""
    stored: list[ReceivedDocument] = []
    try:
        for item in checked:
            stored.append(
                receive_document(
                    application,
                    item.upload,
                    by=by,
                    source=source,
                    note=note,
                    content_type=item.content_type,
                )
            )
    except BaseException:
        delete_stored(stored)
        raise
    return stored


def delete_stored(documents: list[ReceivedDocument]) -> None:
    """Remove the files of documents whose rows were rolled back (best effort)."""
    for document in documents:
        with contextlib.suppress(OSError):
            document.file.storage.delete(document.file.name)


def document_payload(document: ReceivedDocument) -> dict[str, Any]:
    """What the trail record holds of a document besides its description."""
    return {
        "document": document.pk,
        "name": document.original_name,
        "size": document.size,
        "sha256": document.sha256,
        "received_via": document.received_via,
        "received_on": document.received_on.isoformat(),
    }


def document_register(
    *,
    application: Application,
    acting_user: Any,
    upload: Any,
    received_via: str,
    received_on: datetime.date | None,
    description: str,
    content_type: str | None = None,
) -> ReceivedDocument:
    """The case officer registers a document received by post, e-mail or by hand."""
    permissions.require_may_register_documents(acting_user, application)
    errors: dict[str, str] = {}
    if received_via not in dict(REGISTERED_VIA):
        errors["received_via"] = _("Choose how the document was received.")
    today = timezone.localdate()
    if received_on is None:
        errors["received_on"] = _("Enter the date the document was received.")
    elif received_on > today:
        errors["received_on"] = _("The date cannot be in the future.")
    if not (description or "").strip():
        errors["description"] = _("Describe the document: what it is and who sent it.")
    if errors:
        raise ValidationError(errors)
    try:
        return receive_document(
            application,
            upload,
            by=acting_user,
            source=received_via,
            note=description,
            received_on=received_on,
            content_type=content_type,
        )
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None


def documents_for(user: Any, application: Application) -> QuerySet[ReceivedDocument]:
    """What ``user`` sees: staff of the municipality every document, the association the
    ones it sent itself (its answers and hearing answers)."""
    documents = case_documents(application)
    if not sees_whole_trail(user, application):
        documents = documents.filter(received_via__in=APPLICANT_CHANNELS)
    return documents


def case_documents(application: Application) -> QuerySet[ReceivedDocument]:
    """Every document received on the case (for the export and a request for access)."""
    return (
        ReceivedDocument.objects.filter(application=application)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def get_received_document_for(user: Any, pk: int) -> ReceivedDocument:
    """One document, if ``user`` may download it; 404 otherwise (its existence stays hidden)."""
    from django.http import Http404

    from cases.access import visible_applications

    document = (
        ReceivedDocument.objects.select_related("application")
        .filter(pk=pk, application__in=visible_applications(user))
        .first()
    )
    if document is None or not (
        document.from_applicant or sees_whole_trail(user, document.application)
    ):
        raise Http404(_("No such document."))
    return document


def document_as_data(document: ReceivedDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.original_name,
        "size": document.size,
        "content_type": document.content_type,
        "sha256": document.sha256,
        "received_via": document.received_via,
        "received_via_label": str(document.get_received_via_display()),
        "received_on": document.received_on.isoformat(),
        "description": document.description,
        "registered_at": timezone.localtime(document.uploaded_at).isoformat(),
    }
