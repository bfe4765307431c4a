"""An application's complete file as one ZIP — what the municipality hands over on a
request for access to documents (aktindsigt) or a complaint:

- ``summary.pdf``: the application, the amounts and decisions, and the trail, printed;
- ``documents/``: every document the municipality sent (decision letters);
- ``attachments/``: every document the association sent;
- ``report-attachments/`` and ``after-grant.json``: the usage reports' documents, and the
  payouts, reports (with their lines), repayment claims and carry-overs as data;
- ``notes.json``, ``received/`` and ``received.json``: the file notes and the documents
  received after submission (with their SHA-256); ``messages.json``: the messages on the
  case (issue 17; their files are among the documents received);
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

import datetime
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cases.documents import cells, decisions
from cases.documents.letters import letter_pdf, letter_stylesheet, print_pdf
from cases.documents.redaction import NO_REDACTION, Redactor
from cases.models import (
    Application,
    Attachment,
    CarryOver,
    Document,
    GrantRound,
    HearingAttachment,
    RepaymentClaim,
    ReportAttachment,
    UsageReport,
)
from cases.services import case_documents, case_messages, case_notes
from cases.trail.models import TransitionRecord
from cases.trail.timeline import trail_events
from cases.trail.values import local_iso, local_time

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
    """The trail's events for the JSON: labels and display values beside the stable
    identifiers (field names, payload keys, ids, ISO times with their offset)."""
    rows = []
    for event in trail_events(application):
        rows.append(
            {
                "at": local_iso(event.at),
                "at_display": local_time(event.at),
                "kind": event.kind,
                "kind_label": event.kind_label,
                "what": event.title,
                "who": event.actor,
                "actor_id": event.actor_id,
                "role": event.role,
                "status": event.status,
                "details": event.detail,
                "changes": [
                    {
                        "field": c.field,
                        "label": c.label,
                        "before": c.before,
                        "after": c.after,
                        "before_value": c.before_value,
                        "after_value": c.after_value,
                    }
                    for c in event.changes
                ],
                "data": event.payload,
                "data_display": [
                    {"key": d.key, "label": d.label, "display": d.display} for d in event.data
                ],
            }
        )
    return rows


def _csv_rows(events: list[dict[str, Any]]) -> list[list[Any]]:
    """The trail as a spreadsheet reads it: labels, formatted values, local times."""
    header = [
        _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        _("Kind"),
        _("What"),
        _("Who"),
        _("Role"),
        _("Status"),
        _("Details"),
        _("Changes"),
        _("Recorded data"),
    ]
    return [
        header,
        *(
            [
                e["at_display"],
                e["kind_label"],
                e["what"],
                e["who"],
                e["role"],
                e["status"],
                e["details"],
                "; ".join(f"{c['label']}: {c['before']} → {c['after']}" for c in e["changes"]),
                "; ".join(f"{d['label']}: {d['display']}" for d in e["data_display"]),
            ]
            for e in events
        ),
    ]


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
            # As hashed (UTC), so the chain can be re-verified outside the system.
            "at": r.created_at.isoformat(timespec="microseconds"),
            "at_local": local_iso(r.created_at),
            "reason": r.reason,
            "payload": r.payload,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in TransitionRecord.objects.filter(application=application).order_by("seq")
    ]


def _json_default(value: Any) -> Any:
    """Times in Europe/Copenhagen with their offset; amounts and the rest as text."""
    if isinstance(value, datetime.datetime):
        return local_iso(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def summary_pdf(
    application: Application, events: list[dict[str, Any]], redactor: Redactor = NO_REDACTION
) -> bytes:
    html = render_to_string(
        "exports/case_summary.html",
        {
            "stylesheet": letter_stylesheet(),
            "application": application,
            "budget_lines": application.budget_lines.all(),
            "events": events,
            "exported_at": timezone.localtime(),
            "time_zone": timezone.get_current_timezone_name(),
        },
    )
    return print_pdf(redactor.text(html))


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


def _exempt(archive: zipfile.ZipFile, name: str, mark: str | None) -> bool:
    """An item left out of a handed-out file: a short text in its place says why."""
    if mark is None:
        return False
    archive.writestr(f"{name}.undtaget.txt", f"{mark}\n")
    return True


def _write_case(
    archive: zipfile.ZipFile,
    application: Application,
    folder: str = "",
    redactor: Redactor = NO_REDACTION,
) -> None:
    """The case's file into ``archive``; ``redactor`` leaves out what a requester for
    access to documents is not handed (``redaction.py``)."""
    events = redactor.data(_events_rows(application))
    archive.writestr(f"{folder}summary.pdf", summary_pdf(application, events, redactor))
    archive.writestr(f"{folder}trail.csv", cells.csv_text(_csv_rows(events)))
    archive.writestr(
        f"{folder}trail.json",
        json.dumps(
            {
                "case_number": application.case_number,
                "time_zone": timezone.get_current_timezone_name(),
                "events": events,
                "transition_records": redactor.data(_records(application)),
            },
            ensure_ascii=False,
            indent=2,
            default=_json_default,
        ),
    )
    for document in Document.objects.filter(application=application):
        name = f"{folder}documents/{document.pk}"
        if _exempt(archive, name, redactor.exempt_marker("document", document.pk)):
            continue
        redacted = redactor.text(document.html)
        if redacted != document.html:  # re-printed from its redacted text
            archive.writestr(f"{name}-{_safe(document.title)}.pdf", print_pdf(redacted))
            continue
        document = letter_pdf(document)
        if document.pdf:
            _copy_in(archive, f"{name}-{_safe(document.pdf.name)}", document.pdf)
    for attachment in Attachment.objects.filter(application=application):
        name = f"{folder}attachments/{attachment.pk}"
        if _exempt(archive, name, redactor.exempt_marker("attachment", attachment.pk)):
            continue
        if attachment.file:
            _copy_in(
                archive,
                f"{folder}attachments/{attachment.pk}-{_safe(attachment.original_name)}",
                attachment.file,
            )
    for received in ReportAttachment.objects.filter(report__application=application):
        name = f"{folder}report-attachments/{received.report_id}-{received.pk}"
        if _exempt(archive, name, redactor.exempt_marker("report_attachment", received.pk)):
            continue
        if received.file:
            _copy_in(
                archive,
                f"{folder}report-attachments/{received.report_id}-{received.pk}-"
                f"{_safe(received.original_name)}",
                received.file,
            )
    _write_notes_and_received(archive, application, folder, redactor)
    for heard in HearingAttachment.objects.filter(hearing__application=application):
        name = f"{folder}hearing-attachments/{heard.hearing_id}-{heard.pk}"
        if _exempt(archive, name, redactor.exempt_marker("hearing_attachment", heard.pk)):
            continue
        if heard.file:
            _copy_in(archive, f"{name}-{_safe(heard.original_name)}", heard.file)
    archive.writestr(
        f"{folder}hearings.json",
        json.dumps(
            redactor.data(_hearings(application)), ensure_ascii=False, indent=2, default=str
        ),
    )
    archive.writestr(
        f"{folder}after-grant.json",
        json.dumps(
            redactor.data(after_grant(application)),
            ensure_ascii=False,
            indent=2,
            default=_json_default,
        ),
    )


def _write_notes_and_received(
    archive: zipfile.ZipFile,
    application: Application,
    folder: str,
    redactor: Redactor = NO_REDACTION,
) -> None:
    """``notes.json``: every file note (visible to the association or not: the export is the
    whole file); ``received/``: the documents received after submission, with
    ``received.json`` naming each with its channel, date and SHA-256."""
    notes = redactor.data(
        [case_notes.note_as_data(note) for note in case_notes.case_notes(application)]
    )
    archive.writestr(
        f"{folder}notes.json",
        json.dumps(
            {"case_number": application.case_number, "notes": notes}, ensure_ascii=False, indent=2
        ),
    )
    messages = redactor.data(
        [case_messages.message_as_data(m) for m in case_messages.case_messages(application)]
    )
    archive.writestr(
        f"{folder}messages.json",
        json.dumps(
            {"case_number": application.case_number, "messages": messages},
            ensure_ascii=False,
            indent=2,
        ),
    )
    received = []
    for document in case_documents.case_documents(application):
        name = f"received/{document.pk}-{_safe(document.original_name)}"
        if _exempt(
            archive,
            f"{folder}received/{document.pk}",
            redactor.exempt_marker("received", document.pk),
        ):
            received.append(
                {**redactor.data(case_documents.document_as_data(document)), "file": None}
            )
            continue
        if document.file:
            _copy_in(archive, f"{folder}{name}", document.file)
        received.append({**redactor.data(case_documents.document_as_data(document)), "file": name})
    archive.writestr(
        f"{folder}received.json",
        json.dumps(
            {"case_number": application.case_number, "documents": received},
            ensure_ascii=False,
            indent=2,
        ),
    )


def _hearings(application: Application) -> list[dict[str, Any]]:
    """The case's hearings (partshøring), times in Copenhagen local time."""

    def local(value: Any) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    return [
        {
            "id": h.pk,
            "facts": h.facts,
            "concerns": h.concerns,
            "deadline": h.deadline.isoformat(),
            "returns_to": h.return_state,
            "started_at": local(h.started_at),
            "answer": h.answer,
            "answered_at": local(h.answered_at),
            "outcome": h.outcome,
            "ended_at": local(h.ended_at),
            "attachments": [a.original_name for a in h.attachments.all()],
        }
        for h in application.hearings.prefetch_related("attachments")
    ]


def case_file_zip(application: Application, target: Any) -> None:
    """Write the application's complete file as a ZIP into ``target`` (a file object)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_case(archive, application)


def round_zip(
    grant_round: GrantRound, target: Any, progress: Callable[[int, int], None] | None = None
) -> int:
    """Write the round's complete export (the decisions as CSV and XLSX, every case's file)
    as a ZIP into ``target`` (a file object); returns the number of cases in it.
    ``progress(done, total)`` is called after the decisions and after each case.

    A round of hundreds of cases prints a summary PDF for each, for minutes: a worker makes
    it (``cases/services/round_exports.py``), never a web process (``docs/benchmarks.md``,
    "Measured again after the compiled reads")."""
    rows = decisions.decision_rows(grant_round)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("decisions.csv", decisions.as_csv(rows))
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sheet:
            title = f"{grant_round.municipality.name}: {grant_round.name}"
            decisions.write_xlsx(rows, title, sheet)
            sheet.seek(0)
            with archive.open(_stored("decisions.xlsx"), "w") as member:
                shutil.copyfileobj(sheet, member)
        for done, row in enumerate(rows):
            if progress is not None:
                progress(done, len(rows))
            application = row.application
            _write_case(archive, application, f"{_safe(application.case_number)}/")
        if progress is not None:
            progress(len(rows), len(rows))
    return len(rows)


def handed_out_zip(
    applications: list[Application], target: Any, redactor: Redactor, cover: str
) -> None:
    """The file handed out on a request for access to documents: ``cover`` (the decision,
    in words) as ``aktindsigt.txt`` and each case's file in its own folder, redacted."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("aktindsigt.txt", cover)
        for application in applications:
            _write_case(archive, application, f"{_safe(application.case_number)}/", redactor)
