"""What a requester for access to documents is not handed: redaction of a case's file.

The case file (``exports.py``) is written once; a redacted copy is the same file passed
through a ``Redactor``: every text it writes (the summary, the trail's CSV and JSON,
the after-grant data, letters re-printed from their HTML) has the chosen texts replaced
by a visible marker »[Undtaget, offentlighedslovens § …]« with the chosen ground, and
every document marked as exempt is replaced by a short text saying so.

What can be chosen (``RedactionChoice``):

- council and committee members' conflict declarations (the text of the tie and the
  reasons for the ruling): information on individuals' private matters;
- other persons' contact details: the association's contact e-mail and phone, the
  e-mails of its users and of the municipality's staff;
- single items by kind and id: an attachment, a letter, a usage report's attachment,
  a file note, a document received after submission, a file sent with the answer to a
  hearing. An exempt note's text is replaced wherever it appears in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Application,
    AssociationMember,
    ConflictDeclaration,
    FileNote,
    StaffRole,
)

# The grounds a redaction can rest on: code -> (the provision, what it protects).
GROUNDS: dict[str, tuple[str, Any]] = {
    "private": ("§ 30, nr. 1", _("individuals' private matters")),
    "business": ("§ 30, nr. 2", _("business matters")),
    "internal": ("§ 23, stk. 1, nr. 1", _("internal documents")),
    "interests": ("§ 33, nr. 5", _("important private or public interests")),
}
GROUND_CHOICES = [
    (code, format_lazy("{}: {}", law, label)) for code, (law, label) in GROUNDS.items()
]
# The codes alone: one enum in the API's schema (config/settings.py ENUM_NAME_OVERRIDES).
GROUND_CODES = list(GROUNDS)
ITEM_KINDS = (
    "attachment",
    "document",
    "report_attachment",
    "note",
    "received",
    "hearing_attachment",
)

# Shorter texts are not replaced inside longer words: "(?<!\w)" and "(?!\w)" around each.
_MIN_LINE = 12


def marker(ground: str) -> str:
    """The visible marker that replaces what is not handed out (always in Danish: it is
    part of the municipality's document)."""
    return f"»[Undtaget, offentlighedslovens {GROUNDS[ground][0]}]«"


# --- file notes ----------------------------------------------------------------------------


def case_notes_text(applications: list[Application]) -> dict[int, str]:
    """The file notes of ``applications`` as {note id: text}: one query."""
    return dict(FileNote.objects.filter(application__in=applications).values_list("pk", "text"))


# --- the choice and the redactor -------------------------------------------------------------


@dataclass
class RedactionChoice:
    """What the handler chose to leave out, and on which ground (a ``GROUNDS`` code)."""

    declarations: str = ""  # ground, or "" to hand them out
    contact_details: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "id", "ground"}

    def as_json(self) -> dict[str, Any]:
        return {
            "declarations": self.declarations,
            "contact_details": self.contact_details,
            "items": [
                {"kind": i["kind"], "id": int(i["id"]), "ground": i["ground"]} for i in self.items
            ],
        }


@dataclass
class Redactor:
    """Replaces the chosen texts in everything written; knows the exempt items."""

    secrets: list[tuple[str, str]] = field(default_factory=list)  # (text, marker)
    exempt: dict[tuple[str, int], str] = field(default_factory=dict)  # (kind, id) -> marker
    _patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for text, mark in self.secrets:
            text = text.strip()
            if text and text not in seen:
                seen[text] = mark
                # The lines of a long text on their own too (a page breaks lines into <br>).
                for line in text.splitlines():
                    line = line.strip()
                    if len(line) >= _MIN_LINE and line not in seen:
                        seen[line] = mark
        # Longest first, so a text is replaced whole before any part of it.
        for text in sorted(seen, key=len, reverse=True):
            for variant in {text, str(escape(text))}:
                pattern = re.compile(r"(?<!\w)" + re.escape(variant) + r"(?!\w)")
                self._patterns.append((pattern, seen[text]))

    @property
    def active(self) -> bool:
        return bool(self._patterns or self.exempt)

    def text(self, value: str) -> str:
        for pattern, mark in self._patterns:
            value = pattern.sub(mark, value)
        return value

    def data(self, value: Any) -> Any:
        """``value`` (rows, dicts, lists, strings) with every string redacted."""
        if not self._patterns:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def exempt_marker(self, kind: str, pk: int) -> str | None:
        return self.exempt.get((kind, pk))


NO_REDACTION = Redactor()


def _declaration_texts(applications: Iterable[Application]) -> list[str]:
    texts: list[str] = []
    for reason, ruling in ConflictDeclaration.objects.filter(
        application__in=list(applications)
    ).values_list("reason", "ruling_reason"):
        texts += [reason, ruling]
    return texts


def _contact_details(applications: list[Application]) -> list[str]:
    associations = {a.association for a in applications}
    municipality_ids = {a.municipality_id for a in applications}
    found: list[str] = []
    for association in associations:
        found += [association.email, association.phone]
    found += AssociationMember.objects.filter(
        association__in=[a.pk for a in associations]
    ).values_list("user__email", flat=True)
    found += StaffRole.objects.filter(municipality_id__in=municipality_ids).values_list(
        "user__email", flat=True
    )
    return [text for text in found if text]


def build_redactor(choice: RedactionChoice, applications: list[Application]) -> Redactor:
    """The redactor for ``applications`` (the cases handed out) as ``choice`` says."""
    secrets: list[tuple[str, str]] = []
    if choice.declarations:
        mark = marker(choice.declarations)
        secrets += [(text, mark) for text in _declaration_texts(applications)]
    if choice.contact_details:
        mark = marker(choice.contact_details)
        secrets += [(text, mark) for text in _contact_details(applications)]
    exempt = {(i["kind"], int(i["id"])): marker(i["ground"]) for i in choice.items}
    notes = case_notes_text(applications)
    for (kind, pk), mark in exempt.items():
        if kind == "note" and pk in notes:
            secrets.append((notes[pk], mark))
    return Redactor(secrets=secrets, exempt=exempt)
