"""File notes (notatpligt, offentlighedsloven § 13): written, never changed, chained.

``note_create`` is the one write: the screen, the API and anything else call it. A note
is corrected by a new note that names it (``corrects``); both stay, and are shown
together. Every note is chained in the case's trail as a ``file_note`` event, whose
reason is the note's text; ``verify_trail`` checks each note against its record
(``cases/trail/coverage.py``).

Reads: ``notes_for`` (what a viewer may see: staff everything, the association only the
notes made visible to it) and ``case_notes`` (every note, for an access request's
export, whoever asks).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import limits, permissions
from cases.models import Application, FileNote, NoteConcerns
from cases.services.case_events import record_case_event
from cases.trail.disclosure import sees_whole_trail
from cases.trail.history import actor_display_name

FLOW = "notes"
EVENT = "file_note"


def _clean(
    *, text: str, concerns: str, occurred_on: datetime.date | None
) -> tuple[str, datetime.date]:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the note: what was said, or what you learnt.")
    elif len(text) > limits.TEXT:
        errors["text"] = _("The note may be at most %(limit)s characters.") % {"limit": limits.TEXT}
    if concerns and concerns not in NoteConcerns.values:
        errors["concerns"] = _("Choose what the note concerns from the list.")
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        errors["occurred_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return text, occurred_on


def note_create(
    *,
    application: Application,
    acting_user: Any,
    text: str,
    concerns: str = "",
    occurred_on: datetime.date | None = None,
    visible_to_applicant: bool = False,
    corrects: FileNote | None = None,
) -> FileNote:
    """Write a file note on the case, chained in its trail; ``corrects``: the note it corrects."""
    permissions.require_may_write_notes(acting_user, application)
    if corrects is not None and corrects.application_id != application.pk:
        raise ValidationError({"corrects": _("Choose a note on this case.")})
    text, occurred_on = _clean(text=text, concerns=concerns, occurred_on=occurred_on)
    role = permissions.note_role(acting_user, application)
    with transaction.atomic():
        note = FileNote(
            application=application,
            text=text,
            concerns=concerns or "",
            occurred_on=occurred_on,
            visible_to_applicant=bool(visible_to_applicant),
            corrects=corrects,
            author=acting_user,
            author_name=actor_display_name(acting_user),
            role=role,
        )
        note.save()
        record_case_event(
            application,
            flow=FLOW,
            event=EVENT,
            actor=acting_user,
            role=role,
            reason=text,
            **note_payload(note),
        )
    return note


def note_payload(note: FileNote) -> dict[str, Any]:
    """What the trail record holds of a note besides its text (and what verify compares)."""
    return {
        "note": note.pk,
        "concerns": note.concerns,
        "occurred_on": note.occurred_on.isoformat(),
        "visible": note.visible_to_applicant,
        "corrects": note.corrects_id,
    }


def case_notes(application: Application) -> QuerySet[FileNote]:
    """Every note on the case, oldest first — also for a request for access (aktindsigt):
    a note not made visible to the association is still part of the case's file."""
    return (
        FileNote.objects.filter(application=application)
        .select_related("corrects")
        .order_by("created_at", "pk")
    )


@dataclass
class NoteEntry:
    """A note as a list shows it: with the notes that correct it, right after it."""

    note: FileNote
    corrections: list[FileNote] = field(default_factory=list)


def notes_for(user: Any, application: Application) -> list[FileNote]:
    """The notes ``user`` may read: staff of the municipality all, the association those
    made visible to it."""
    notes = case_notes(application)
    if not sees_whole_trail(user, application):
        notes = notes.filter(visible_to_applicant=True)
    return list(notes)


def grouped(notes: list[FileNote]) -> list[NoteEntry]:
    """Each original note followed by its corrections (and theirs), in the order written."""
    by_id = {note.pk: NoteEntry(note) for note in notes}
    roots: list[NoteEntry] = []
    for note in notes:
        original = note
        while original.corrects_id is not None and original.corrects_id in by_id:
            original = by_id[original.corrects_id].note
        if original is note:
            roots.append(by_id[note.pk])
        else:
            by_id[original.pk].corrections.append(note)
    return roots


def note_as_data(note: FileNote) -> dict[str, Any]:
    """A note in an export (JSON): stable identifiers beside the local time."""
    return {
        "id": note.pk,
        "text": note.text,
        "concerns": note.concerns,
        "concerns_label": str(note.get_concerns_display()) if note.concerns else "",
        "occurred_on": note.occurred_on.isoformat(),
        "visible_to_applicant": note.visible_to_applicant,
        "corrects": note.corrects_id,
        "author": note.author_name,
        "role": note.role,
        "written_at": timezone.localtime(note.created_at).isoformat(),
    }
