"""Messages on a case (issue 17): ``message_send`` is the one write; the screens and the API
call it.

Who may write is ``cases.permissions.message_refusal`` (the association's representatives
and the municipality's case officers, from the submission until the case is finished).
A message is saved, chained in the case's trail as a ``send_message`` event with the
fingerprint of its text, and its files are received into the case right after it
(``case_documents.receive_all``, ``ReceivedVia.MESSAGE``: one ``receive_document`` record
each, with its SHA-256), all in one transaction with the case row locked, so the thread
(``cases/selectors/messages.py``) finds a message's files in the records that follow it.

The other side is told through ``message_sent``: the domain does not import notifications
(the notifications app answers it, in the same transaction, with an outbox row).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import limits, permissions, roles, upload_quota
from cases.models import Application, CaseMessage, ReceivedVia, Role, SentAs
from cases.services import case_documents
from cases.services.case_events import record_case_event
from cases.trail.history import actor_display_name
from cases.uploads import check_upload

FLOW = "messages"
EVENT = "send_message"
#: As many files as an answer takes (workflows.inputs.DocumentFiles.MAX_FILES).
MAX_DOCUMENTS = 10
# Sent inside the sending transaction, with ``application``, ``message`` and ``documents``
# (how many files came with it); the notifications app tells the other side.
message_sent = Signal()


@dataclass
class _Checked:
    """A file ``check_upload`` has accepted (the shape of ``workflows.inputs.CheckedUpload``)."""

    upload: Any
    content_type: str


def body_fingerprint(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def message_payload(message: CaseMessage) -> dict[str, Any]:
    """What the trail record holds of a message (and what ``verify_trail`` compares): its
    side, length and fingerprint — not its text, which follows the case's retention."""
    return {
        "message": message.pk,
        "sent_as": message.sent_as,
        "length": len(message.body),
        "sha256": body_fingerprint(message.body),
    }


def _checked_documents(documents: Any) -> tuple[list[Any], list[str]]:
    """The files, each checked as every upload is; an already checked one passes."""
    files = [item for item in (documents or ()) if item not in (None, "")]
    if len(files) > MAX_DOCUMENTS:
        return [], [_("Send at most %(most)s documents at a time.") % {"most": MAX_DOCUMENTS}]
    checked: list[Any] = []
    problems: list[str] = []
    for item in files:
        if hasattr(item, "upload") and hasattr(item, "content_type"):
            checked.append(item)
            continue
        if not hasattr(item, "size") or not hasattr(item, "read"):
            problems.append(_("Send the documents as files."))
            continue
        try:
            checked.append(_Checked(item, check_upload(item)))
        except ValidationError as error:
            problems += [f"{item.name}: {message}" for message in error.messages]
    return checked, problems


def _clean(body: str, documents: Any) -> tuple[str, list[Any]]:
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = [_("Write the message.")]
    elif len(body) > limits.TEXT:
        errors["body"] = [
            _("The message may be at most %(limit)s characters.") % {"limit": limits.TEXT}
        ]
    checked, problems = _checked_documents(documents)
    if problems:
        errors["documents"] = problems
    if errors:
        raise ValidationError(errors)
    return body, checked


def message_send(
    *, application: Application, acting_user: Any, body: str, documents: Any = ()
) -> CaseMessage:
    """Write a message on the case, with files (uploaded files, or ``CheckedUpload``s), for
    the side the user writes for; chained in the trail; the other side is told.

    Raises ``PermissionDenied`` (who, or the case's state) and ``ValidationError`` keyed by
    ``body`` / ``documents``.
    """
    permissions.require_may_write_messages(acting_user, application)
    body, checked = _clean(body, documents)
    with transaction.atomic():
        locked = (
            # Only the case's row (OF self), not the joined rows: see handover/runner.py.
            Application.objects.select_for_update(of=("self",))
            .select_related("association", "municipality", "round")
            .get(pk=application.pk)
        )
        # Asked again on the locked row: the case may have been finished meanwhile.
        refusal = permissions.message_refusal(acting_user, locked)
        if refusal:
            raise PermissionDenied(refusal)
        if checked:
            try:
                upload_quota.check_room(locked, [item.upload.size or 0 for item in checked])
            except ValidationError as error:
                raise ValidationError({"documents": error.messages}) from None
        sent_as = permissions.message_side(acting_user, locked)
        message = CaseMessage(
            application=locked,
            author=acting_user,
            author_name=actor_display_name(acting_user),
            sent_as=sent_as,
            body=body,
        )
        message.save()
        record_case_event(
            locked,
            flow=FLOW,
            event=EVENT,
            actor=acting_user,
            role=roles.APPLICANT if sent_as == SentAs.ASSOCIATION else str(Role.CASE_OFFICER),
            reason="",
            **message_payload(message),
        )
        try:
            case_documents.receive_all(locked, checked, by=acting_user, source=ReceivedVia.MESSAGE)
        except ValidationError as error:
            raise ValidationError({"documents": error.messages}) from None
        message_sent.send(
            sender=CaseMessage, application=locked, message=message, documents=len(checked)
        )
    return message


def case_messages(application: Application) -> QuerySet[CaseMessage]:
    """Every message on the case, oldest first (the case file's export)."""
    return CaseMessage.objects.filter(application=application).order_by("created_at", "pk")


def message_as_data(message: CaseMessage) -> dict[str, Any]:
    """A message in an export (JSON); its files are among the documents received."""
    return {
        "id": message.pk,
        "sent_as": message.sent_as,
        "author": message.author_name,
        "text": message.body,
        "written_at": timezone.localtime(message.created_at).isoformat(),
    }
