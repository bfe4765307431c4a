"""An application's complete file as one ZIP — what the municipality hands over on a
request for access to documents (aktindsigt) or a complaint:

- ``summary.pdf``: the application, the amounts and decisions, and the trail, printed;
- ``documents/``: every document the municipality sent (decision letters);
- ``attachments/``: every document the association sent;
- ``report-attachments/`` and ``after-grant.json``: the usage reports' documents, and the
  payouts, reports (with their lines), repayment claims and carry-overs as data;
- ``notes.json``, ``received/`` and ``received.json``: the file notes and the documents
  received after submission (with their SHA-256);
- ``trail.csv`` and ``trail.json``: every event, as on the trail page, machine-readable;
  the JSON also holds the raw transition records with their hashes, so the chain can
  be re-verified outside the system.

A round's export is its decision list (CSV, XLSX) and the file of each application.

Every CSV and XLSX cell is written by ``cases.documents.cells`` (no formulas, only
characters the format can hold). Files are copied into the ZIP in pieces and stored
uncompressed (they are compressed already); the caller writes the ZIP into a spooled
temporary file. What bounds an export: the length limit of every text field, at most
``PULJEFLOW_MAX_ATTACHMENTS`` attachments of ``PULJEFLOW_MAX_ATTACHMENT_BYTES`` in all per
application (``cases.upload_quota``), and one row per application in a round.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import PurePosixPath
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from cases.documents import cells, decisions
from cases.documents.letters import letter_pdf, letter_stylesheet, print_pdf
from cases.models import (
    Application,
    Attachment,
    CarryOver,
    Document,
    GrantRound,
    RepaymentClaim,
    ReportAttachment,
    UsageReport,
)
from cases.services import case_documents, case_notes
from cases.trail.models import TransitionRecord
from cases.trail.timeline import trail_events

SPOOL_BYTES = 20 * 1024 * 1024


def _safe(name: str) -> str:
    """A file name that stays inside its folder in the ZIP."""
    return get_valid_filename(PurePosixPath(name.replace("\\", "/")).name) or "file"


def _stored(name: str) -> zipfile.ZipInfo:
    """A member stored as it is: documents and images are compressed already, and
    deflating them again only costs time."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    return info


def _copy_in(archive: zipfile.ZipFile, name: str, stored: Any) -> None:
    """Copy a stored file into the ZIP in pieces, never whole in memory."""
    with stored.open("rb") as source, archive.open(_stored(name), "w") as member:
        shutil.copyfileobj(source, member)


def _events_rows(application: Application) -> list[dict[str, Any]]:
    rows = []
    for event in trail_events(application):
        rows.append(
            {
                "at": event.at.isoformat(),
                "kind": event.kind,
                "what": event.title,
                "who": event.actor,
                "role": event.role,
                "status": event.status,
                "details": event.detail,
                "changes": [
                    {"field": name, "before": old, "after": new} for name, old, new in event.changes
                ],
                "data": event.payload,
            }
        )
    return rows


def _records(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "seq": r.seq,
            "flow": r.flow,
            "transition": r.transition,
            "from": r.from_state,
            "to": r.to_state,
            "actor_id": r.actor_id_at_record,
            "actor_name": r.actor_name,
            "role": r.role,
            "at": r.created_at.isoformat(timespec="microseconds"),
            "reason": r.reason,
            "payload": r.payload,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in TransitionRecord.objects.filter(application=application).order_by("seq")
    ]


def summary_pdf(application: Application, events: list[dict[str, Any]]) -> bytes:
    html = render_to_string(
        "exports/case_summary.html",
        {
            "stylesheet": letter_stylesheet(),
            "application": application,
            "budget_lines": application.budget_lines.all(),
            "events": events,
            "exported_at": timezone.localtime(),
        },
    )
    return print_pdf(html)


def after_grant(application: Application) -> dict[str, Any]:
    """Payouts, usage reports (lines, attachments), repayment claims and carry-overs as data."""
    reports = UsageReport.objects.filter(application=application).prefetch_related(
        "lines", "attachments"
    )
    return {
        "payouts": list(
            application.payouts.values("id", "paid_on", "amount", "reference", "registered_at")
        ),
        "usage_reports": [
            {
                "id": r.pk,
                "submitted_at": r.submitted_at,
                "status": r.status,
                "description": r.description,
                "participants_reached": r.participants_reached,
                "volunteers_involved": r.volunteers_involved,
                "amount_spent": r.amount_spent,
                "unspent_amount": r.unspent_amount,
                "overspend_explanation": r.overspend_explanation,
                "declaration_on_honour": r.declaration_on_honour,
                "review_reasons": r.review_reasons,
                "lines": [
                    {
                        "description": line.description,
                        "budgeted": line.budgeted,
                        "spent": line.spent,
                    }
                    for line in r.lines.all()
                ],
                "attachments": [
                    {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size}
                    for a in r.attachments.all()
                ],
            }
            for r in reports
        ],
        "repayment_claims": list(
            RepaymentClaim.objects.filter(application=application).values(
                "id", "report_id", "amount", "due_on", "paid_on", "paid_reference", "created_at"
            )
        ),
        "carry_overs": list(
            CarryOver.objects.filter(application=application).values(
                "id", "report_id", "amount", "reason", "approved_at"
            )
        ),
    }


def _write_case(archive: zipfile.ZipFile, application: Application, folder: str = "") -> None:
    events = _events_rows(application)
    archive.writestr(f"{folder}summary.pdf", summary_pdf(application, events))
    archive.writestr(
        f"{folder}trail.csv",
        cells.csv_text(
            [
                ["at", "kind", "what", "who", "role", "status", "details", "changes"],
                *(
                    [
                        e["at"],
                        e["kind"],
                        e["what"],
                        e["who"],
                        e["role"],
                        e["status"],
                        e["details"],
                        "; ".join(
                            f"{c['field']}: {c['before']} → {c['after']}" for c in e["changes"]
                        ),
                    ]
                    for e in events
                ),
            ]
        ),
    )
    archive.writestr(
        f"{folder}trail.json",
        json.dumps(
            {
                "case_number": application.case_number,
                "events": events,
                "transition_records": _records(application),
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        ),
    )
    for document in Document.objects.filter(application=application):
        document = letter_pdf(document)
        if document.pdf:
            _copy_in(
                archive, f"{folder}documents/{document.pk}-{_safe(document.pdf.name)}", document.pdf
            )
    for attachment in Attachment.objects.filter(application=application):
        if attachment.file:
            _copy_in(
                archive,
                f"{folder}attachments/{attachment.pk}-{_safe(attachment.original_name)}",
                attachment.file,
            )
    for received in ReportAttachment.objects.filter(report__application=application):
        if received.file:
            _copy_in(
                archive,
                f"{folder}report-attachments/{received.report_id}-{received.pk}-"
                f"{_safe(received.original_name)}",
                received.file,
            )
    _write_notes_and_received(archive, application, folder)
    archive.writestr(
        f"{folder}after-grant.json",
        json.dumps(after_grant(application), ensure_ascii=False, indent=2, default=str),
    )


def _write_notes_and_received(
    archive: zipfile.ZipFile, application: Application, folder: str
) -> None:
    """``notes.json``: every file note (visible to the association or not: the export is the
    whole file); ``received/``: the documents received after submission, with
    ``received.json`` naming each with its channel, date and SHA-256."""
    notes = [case_notes.note_as_data(note) for note in case_notes.case_notes(application)]
    archive.writestr(
        f"{folder}notes.json",
        json.dumps(
            {"case_number": application.case_number, "notes": notes}, ensure_ascii=False, indent=2
        ),
    )
    received = []
    for document in case_documents.case_documents(application):
        name = f"received/{document.pk}-{_safe(document.original_name)}"
        if document.file:
            _copy_in(archive, f"{folder}{name}", document.file)
        received.append({**case_documents.document_as_data(document), "file": name})
    archive.writestr(
        f"{folder}received.json",
        json.dumps(
            {"case_number": application.case_number, "documents": received},
            ensure_ascii=False,
            indent=2,
        ),
    )


def case_file_zip(application: Application, target: Any) -> None:
    """Write the application's complete file as a ZIP into ``target`` (a file object)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_case(archive, application)


def round_zip(grant_round: GrantRound, target: Any) -> None:
    rows = decisions.decision_rows(grant_round)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("decisions.csv", decisions.as_csv(rows))
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sheet:
            decisions.write_xlsx(
                rows, f"{grant_round.municipality.name}: {grant_round.name}", sheet
            )
            sheet.seek(0)
            with archive.open(_stored("decisions.xlsx"), "w") as member:
                shutil.copyfileobj(sheet, member)
        for row in rows:
            application = row.application
            _write_case(archive, application, f"{_safe(application.case_number)}/")
