"""The journal (journalisering in the municipality's ESDH: KMD Nova, Acadre, SBSYS, F2,
GetOrganized …): an adapter interface, and the embedded default that writes a folder.

An adapter receives the case's metadata (``JournalCase``) and, one at a time, its documents
(``JournalDocument``), and answers with the system's reference. It must be idempotent: the
same document handed over twice is one document; a changed one (another SHA-256) is a new
version of it. ``runner.py`` calls it with the case's row locked, so one case is never
handed over by two workers at once.

``FolderJournal`` (``PULJEFLOW_JOURNAL=folder``) writes ``<root>/<municipality id>/<case
number>/``: each document as a file, ``<key>-v<version>-<name>``, and ``case.json`` with the
case's metadata and one entry per document (file name, kind, title, created, SHA-256,
version, reference, earlier versions). Each file is written to a temporary name in the same
folder and renamed into place, so a reader never sees half a file. The municipality's id is
in the path because case numbers are numbered per municipality (two may share one).

No vendor's adapter is built: each ESDH has its own interface (most take the case and its
documents through a web service of their own or FESD), and none could be tried here. A
vendor adapter implements ``Journal`` and is chosen in ``journal()``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_valid_filename

FOLDER = "folder"
OFF = "off"


@dataclass(frozen=True)
class JournalParty:
    """The association, the case's party, by CVR."""

    cvr: str
    name: str
    address: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class JournalCase:
    municipality_id: int
    municipality: str
    case_number: str
    title: str
    kle: str
    party: JournalParty
    round: str
    status: str
    # ISO 8601, Copenhagen time; None until it happens.
    dates: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class JournalDocument:
    key: str  # stable per document of the case: "letter-12", "attachment-3"
    kind: str  # cases.models.HandoverObject
    title: str
    created: datetime.datetime
    file_name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class DocumentReceipt:
    reference: str
    version: int


class Journal(Protocol):
    """What an ESDH adapter does. Both calls create or update; neither duplicates."""

    name: str

    def hand_over_case(self, case: JournalCase) -> str:
        """Create or update the case; its reference in the ESDH."""

    def hand_over_document(self, case: JournalCase, document: JournalDocument) -> DocumentReceipt:
        """File ``document`` on the case (creating the case if need be); a document whose
        content changed becomes a new version."""


def _write_atomically(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _safe(name: str) -> str:
    return get_valid_filename(PurePosixPath(name.replace("\\", "/")).name) or "document"


class FolderJournal:
    """The embedded default: a folder per case with its documents and ``case.json``."""

    name = FOLDER

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, case: JournalCase) -> Path:
        return self.root / str(case.municipality_id) / _safe(case.case_number)

    def reference(self, case: JournalCase) -> str:
        return f"{case.municipality_id}/{case.case_number}"

    def _read(self, folder: Path) -> dict[str, Any]:
        path = folder / "case.json"
        if not path.exists():
            return {"documents": []}
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def _write(self, folder: Path, case: JournalCase, data: dict[str, Any]) -> None:
        metadata = asdict(case)
        metadata["reference"] = self.reference(case)
        metadata["documents"] = data.get("documents", [])
        body = json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        _write_atomically(folder / "case.json", body.encode("utf-8"))

    def hand_over_case(self, case: JournalCase) -> str:
        folder = self.folder(case)
        folder.mkdir(parents=True, exist_ok=True)
        self._write(folder, case, self._read(folder))
        return self.reference(case)

    def hand_over_document(self, case: JournalCase, document: JournalDocument) -> DocumentReceipt:
        folder = self.folder(case)
        folder.mkdir(parents=True, exist_ok=True)
        data = self._read(folder)
        entries: list[dict[str, Any]] = data.setdefault("documents", [])
        index = next((i for i, e in enumerate(entries) if e["key"] == document.key), None)
        before = entries[index] if index is not None else None
        sha = document.sha256
        if before is not None and before["sha256"] == sha:
            # Handed over already (an earlier attempt whose outcome was not recorded, or
            # "Journalisér nu" again): the same document, not a copy. The case's metadata
            # is brought up to date all the same.
            self._write(folder, case, data)
            return DocumentReceipt(before["reference"], before["version"])
        version = before["version"] + 1 if before is not None else 1
        file_name = f"{_safe(document.key)}-v{version}-{_safe(document.file_name)}"
        _write_atomically(folder / file_name, document.content)
        reference = f"{self.reference(case)}/{document.key}/v{version}"
        entry: dict[str, Any] = {
            "key": document.key,
            "file_name": file_name,
            "kind": document.kind,
            "title": document.title,
            "created": timezone.localtime(document.created).isoformat(),
            "sha256": sha,
            "size": len(document.content),
            "version": version,
            "reference": reference,
            "handed_over_at": timezone.localtime().isoformat(),
            "earlier_versions": [],
        }
        if before is not None:
            entry["earlier_versions"] = [
                *before.get("earlier_versions", []),
                {k: before[k] for k in ("version", "file_name", "sha256", "handed_over_at")},
            ]
            entries[index] = entry  # type: ignore[index]
        else:
            entries.append(entry)
        self._write(folder, case, data)
        return DocumentReceipt(reference, version)


def journal_setting() -> str:
    return str(getattr(settings, "PULJEFLOW_JOURNAL", FOLDER)).strip().lower()


def journal_enabled() -> bool:
    return journal_setting() != OFF


def journal() -> Journal:
    """The configured adapter (``PULJEFLOW_JOURNAL``)."""
    choice = journal_setting()
    if choice == FOLDER:
        return FolderJournal(Path(settings.PULJEFLOW_JOURNAL_DIR))
    raise ValueError(f"PULJEFLOW_JOURNAL={choice!r}: no such journal adapter (folder, off).")


def kle_number() -> str:
    return str(getattr(settings, "PULJEFLOW_JOURNAL_KLE", "")).strip()
