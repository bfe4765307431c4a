"""The journal: the case and its documents in the folder, element by element; idempotence,
versions, the retry sweep, and the trail."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cases.handover import runner
from cases.models import Application, Attachment, Handover, HandoverStatus, TransitionRecord
from cases.services.case_notes import note_create
from cases.trail.verify import verify_trail
from workflows import engine

from ..conftest import PDF
from .conftest import case_folder, case_json, documents_by_key


def _submit(commit: Any, world: SimpleNamespace, draft: Application) -> Application:
    return commit(engine.perform, draft, "submit", user=world.anna)


def _events(application: Application, name: str) -> list[TransitionRecord]:
    return list(
        TransitionRecord.objects.filter(application=application, transition=name).order_by("seq")
    )


def test_a_submitted_case_is_in_the_journal_folder_with_its_metadata(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    data = case_json(journal_on, case)
    assert data["municipality_id"] == world.roskilde.pk
    assert data["municipality"] == "Roskilde Kommune"
    assert data["case_number"] == case.case_number
    assert data["title"] == case.title
    assert data["kle"] == "15.00.00"
    assert data["party"] == {
        "cvr": world.a.cvr,
        "name": "Lektiecaféen",
        "address": world.a.address,
        "postal_code": world.a.postal_code,
        "city": world.a.city,
    }
    assert data["round"] == "§ 18-puljen 2027"
    assert data["status"] == "Indsendt"
    assert data["dates"]["received"] == timezone.localtime(case.submitted_at).isoformat(
        timespec="seconds"
    )
    assert data["dates"]["decided"] is None and data["dates"]["closed"] is None
    assert data["reference"] == f"{world.roskilde.pk}/{case.case_number}"


def test_each_document_is_a_file_with_its_entry(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    entries = documents_by_key(journal_on, case)
    attachments = list(case.attachments.order_by("pk"))
    assert set(entries) == {"receipt"} | {f"attachment-{a.pk}" for a in attachments}
    folder = case_folder(journal_on, case)
    for key, entry in entries.items():
        stored = folder / entry["file_name"]
        assert stored.read_bytes()[:5] == b"%PDF-"
        assert entry["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
        assert entry["size"] == stored.stat().st_size
        assert entry["version"] == 1
        assert entry["reference"] == f"{world.roskilde.pk}/{case.case_number}/{key}/v1"
        assert entry["earlier_versions"] == []
        datetime.datetime.fromisoformat(entry["created"])
        datetime.datetime.fromisoformat(entry["handed_over_at"])
    first = attachments[0]
    assert entries[f"attachment-{first.pk}"]["kind"] == "attachment"
    assert entries[f"attachment-{first.pk}"]["title"] == first.original_name
    assert (
        entries[f"attachment-{first.pk}"]["file_name"]
        == f"attachment-{first.pk}-v1-{first.original_name}"
    )
    assert entries["receipt"]["kind"] == "receipt"
    assert entries["receipt"]["title"] == f"Kvittering for ansøgning {case.case_number}"
    # No half-written file is left behind.
    assert not [p for p in folder.iterdir() if p.name.startswith(".incoming-")]


def test_the_rows_say_done_with_the_reference(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    rows = Handover.objects.filter(application=case)
    assert rows.count() == 2 + case.attachments.count()
    assert {r.status for r in rows} == {HandoverStatus.DONE}
    assert rows.get(kind="case").reference == f"{world.roskilde.pk}/{case.case_number}"


def test_the_hand_overs_are_chained_in_the_trail_and_it_verifies(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    [journalised] = _events(case, "journal_case")
    assert journalised.flow == "handover"
    assert journalised.payload["journal_reference"] == f"{world.roskilde.pk}/{case.case_number}"
    assert journalised.payload["kle"] == "15.00.00"
    assert journalised.payload["target"] == "folder"
    documents = _events(case, "journal_document")
    entries = documents_by_key(journal_on, case)
    assert {r.payload["journal_document"] for r in documents} == set(entries)
    for record in documents:
        entry = entries[record.payload["journal_document"]]
        assert record.payload["sha256"] == entry["sha256"]
        assert record.payload["journal_reference"] == entry["reference"]
        assert record.payload["version"] == 1
    assert not verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems


def test_handing_over_again_duplicates_nothing(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    folder = case_folder(journal_on, case)
    files = sorted(p.name for p in folder.iterdir())
    records = TransitionRecord.objects.filter(application=case).count()
    before = documents_by_key(journal_on, case)
    runner.journal_now(application=case, acting_user=world.carl)
    runner.journal_now(application=case, acting_user=world.carl)
    assert sorted(p.name for p in folder.iterdir()) == files
    assert TransitionRecord.objects.filter(application=case).count() == records
    after = documents_by_key(journal_on, case)
    assert {k: (e["version"], e["sha256"]) for k, e in after.items()} == {
        k: (e["version"], e["sha256"]) for k, e in before.items()
    }


def test_a_changed_document_is_handed_over_as_a_new_version(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    attachment = case.attachments.order_by("pk").first()
    assert attachment is not None
    key = f"attachment-{attachment.pk}"
    first = documents_by_key(journal_on, case)[key]
    with attachment.file.open("wb") as out:
        out.write(b"%PDF-1.4\n% changed\n%%EOF\n")
    runner.journal_now(application=case, acting_user=world.carl)
    entry = documents_by_key(journal_on, case)[key]
    assert entry["version"] == 2
    assert entry["file_name"] == f"{key}-v2-{attachment.original_name}"
    assert entry["reference"].endswith(f"/{key}/v2")
    assert entry["earlier_versions"] == [
        {
            "version": 1,
            "file_name": first["file_name"],
            "sha256": first["sha256"],
            "handed_over_at": first["handed_over_at"],
        }
    ]
    folder = case_folder(journal_on, case)
    assert (folder / first["file_name"]).exists() and (folder / entry["file_name"]).exists()
    [again] = [r for r in _events(case, "journal_document") if r.payload["version"] == 2]
    assert again.payload["sha256"] == entry["sha256"]
    assert again.actor_id == world.carl.pk
    assert not verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems


def test_a_file_note_written_later_is_handed_over_as_it_is_written(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    note = commit(
        note_create, application=case, acting_user=world.carl, text="Ringede til formanden."
    )
    entry = documents_by_key(journal_on, case)[f"file_note-{note.pk}"]
    assert entry["kind"] == "file_note"
    stored = (case_folder(journal_on, case) / entry["file_name"]).read_text(encoding="utf-8")
    assert "Ringede til formanden." in stored


def test_a_later_step_brings_the_status_up_to_date_without_a_new_event(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    documents = Handover.objects.filter(application=case).exclude(kind="case")
    before = dict(documents.values_list("pk", "handed_over_at"))
    commit(engine.perform, case, "accept", user=world.carl, reason="Opfylder kriterierne")
    assert case_json(journal_on, case)["status"] == "Til behandling i Frivillighedsrådet"
    assert len(_events(case, "journal_case")) == 1
    # The documents handed over already are not read and handed over again.
    assert dict(documents.values_list("pk", "handed_over_at")) == before


def test_a_draft_is_not_journalised(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    def upload() -> None:
        attachment = Attachment(
            application=draft,
            kind="other",
            original_name="budget.pdf",
            size=len(PDF),
            content_type="application/pdf",
            uploaded_by=world.anna,
        )
        attachment.file.save("budget.pdf", ContentFile(PDF), save=False)
        attachment.save()

    commit(upload)
    assert not Handover.objects.exists()
    assert not journal_on.exists()


def test_nothing_is_handed_over_when_the_journal_is_off(
    world: SimpleNamespace, draft: Application, settings: Any, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    assert not Handover.objects.filter(application=case).exists()
    assert not Path(settings.PULJEFLOW_JOURNAL_DIR).exists()


def test_a_failed_hand_over_is_retried_by_the_sweep(
    world: SimpleNamespace, draft: Application, journal_on: Path, settings: Any, commit: Any
) -> None:
    blocked = journal_on.parent / "not-a-folder"
    blocked.write_text("a file where the journal's folder should be")
    settings.PULJEFLOW_JOURNAL_DIR = str(blocked)
    case = _submit(commit, world, draft)
    rows = Handover.objects.filter(application=case)
    assert {r.status for r in rows} == {HandoverStatus.FAILED}
    assert all(r.last_error and r.attempts == 1 for r in rows)
    assert not TransitionRecord.objects.filter(application=case, flow="handover").exists()
    # Not due again before its wait is over.
    assert runner.sweep_due() == 0
    rows.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    settings.PULJEFLOW_JOURNAL_DIR = str(journal_on)
    assert runner.sweep_due() == rows.count()
    assert {r.status for r in rows.all()} == {HandoverStatus.DONE}
    assert len(_events(case, "journal_case")) == 1
    assert not verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems


def test_a_row_is_claimed_by_one_worker_only(
    world: SimpleNamespace, draft: Application, journal_on: Path, commit: Any
) -> None:
    case = _submit(commit, world, draft)
    row = Handover.objects.get(application=case, kind="case")
    Handover.objects.filter(pk=row.pk).update(
        status=HandoverStatus.PENDING, next_attempt_at=timezone.now()
    )
    now = timezone.now()
    assert runner.claim(row.pk, now) is True
    assert runner.claim(row.pk, now) is False
    assert runner.hand_over(row.pk) is None  # leased: the claimant has it
