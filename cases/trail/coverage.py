"""Rows that must each have their record in the case's chain: file notes and documents
received (issue 16), messages (issue 17). A row without its record — written behind the services' back — or a
row that no longer matches its record (text, date, visibility, fingerprint) is a broken
link, as is a record whose row is gone; ``verify.verify_trail`` asks here per chunk of
applications (two queries).
"""

from __future__ import annotations

import hashlib
from typing import Any

from cases.models import CaseMessage, FileNote, ReceivedDocument
from cases.trail.chain import BrokenLink
from cases.trail.models import TransitionRecord

NOTE_EVENT = "file_note"
DOCUMENT_EVENT = "receive_document"
MESSAGE_EVENT = "send_message"
# The retention schedule's record of the files it removed (cases/services/retention_schedule.py):
# a received document named there with the fingerprint it was recorded with left lawfully.
REMOVED_EVENT = "remove_files"


def _note_recorded(note: FileNote) -> tuple[Any, ...]:
    return (
        note.text,
        note.concerns,
        note.occurred_on.isoformat(),
        note.visible_to_applicant,
        note.corrects_id,
    )


def _note_in(record: TransitionRecord) -> tuple[Any, ...]:
    p = record.payload
    return (
        record.reason,
        p.get("concerns"),
        p.get("occurred_on"),
        p.get("visible"),
        p.get("corrects"),
    )


def _document_recorded(document: ReceivedDocument) -> tuple[Any, ...]:
    return (
        document.description,
        document.sha256,
        document.size,
        document.received_via,
        document.received_on.isoformat(),
    )


def _document_in(record: TransitionRecord) -> tuple[Any, ...]:
    p = record.payload
    return (
        record.reason,
        p.get("sha256"),
        p.get("size"),
        p.get("received_via"),
        p.get("received_on"),
    )


def _message_recorded(message: CaseMessage) -> tuple[Any, ...]:
    return (
        message.sent_as,
        len(message.body),
        hashlib.sha256(message.body.encode("utf-8")).hexdigest(),
    )


def _message_in(record: TransitionRecord) -> tuple[Any, ...]:
    p = record.payload
    return (p.get("sent_as"), p.get("length"), p.get("sha256"))


def uncovered(by_app: dict[int, list[TransitionRecord]]) -> list[BrokenLink]:
    """Problems with the notes and documents of the applications in ``by_app``."""
    problems: list[BrokenLink] = []
    kinds = (
        (FileNote, NOTE_EVENT, "note", _note_recorded, _note_in, "file note"),
        (
            ReceivedDocument,
            DOCUMENT_EVENT,
            "document",
            _document_recorded,
            _document_in,
            "received document",
        ),
        (CaseMessage, MESSAGE_EVENT, "message", _message_recorded, _message_in, "message"),
    )
    for model, event, key, recorded, in_record, label in kinds:
        records: dict[int, TransitionRecord] = {}
        for records_of_app in by_app.values():
            for one in records_of_app:
                if one.transition == event and isinstance(one.payload, dict):
                    records[int(one.payload.get(key) or 0)] = one
        rows = model._default_manager.filter(application_id__in=list(by_app))
        for row in rows.order_by("application_id", "pk"):
            found = records.pop(row.pk, None)
            if found is None or found.application_id != row.application_id:
                problems.append(
                    BrokenLink(
                        row.application_id, 0, 0, f"{label} {row.pk} has no record in the trail"
                    )
                )
            elif recorded(row) != in_record(found):
                problems.append(
                    BrokenLink(
                        found.application_id,
                        found.seq,
                        found.pk,
                        f"{label} {row.pk} does not match its record",
                    )
                )
        for pk, record in sorted(records.items()):
            if _removed_at_retention(by_app.get(record.application_id, []), model, pk, record):
                continue
            problems.append(
                BrokenLink(
                    record.application_id,
                    record.seq,
                    record.pk,
                    f"the {label} {pk} it records is gone",
                )
            )
    return problems


def _removed_at_retention(
    records: list[TransitionRecord], model: Any, pk: int, recorded: TransitionRecord
) -> bool:
    """Whether a later ``remove_files`` record of the case names this row, with the SHA-256
    it was recorded with (or none: its file was already gone)."""
    name = model._meta.model_name
    for record in records:
        if record.transition != REMOVED_EVENT or record.seq <= recorded.seq:
            continue
        for item in (record.payload or {}).get("removed_files") or []:
            if not isinstance(item, dict) or item.get("model") != name or item.get("id") != pk:
                continue
            sha256 = item.get("sha256") or ""
            return sha256 in ("", (recorded.payload or {}).get("sha256"))
    return False
