"""Retention as a schedule: what beat runs once a day (``cases.tasks.apply_retention``) and
``manage.py apply_retention`` runs by hand.

Four steps, each a sweep of what is due and not yet done (safe to run twice):

1. contact persons' data on cases finished ``PULJEFLOW_RETENTION_YEARS`` ago is anonymised
   (``cases.services.retention.apply_retention``);
2. those cases' attachments, usage report attachments, hearing answers' attachments,
   documents received after submission, letters and messages on the case (issue 17) are
   removed: the files from storage
   and their rows (a received document, append-only otherwise, through its one exit,
   ``delete_at_retention``); the trail keeps each file's name, size and SHA-256 in a
   chained "remove_files" record, so it still verifies and still proves what was held;
3. drafts never submitted and unchanged for ``PULJEFLOW_DRAFT_RETENTION_MONTHS`` are
   deleted with their attachments (their association was told a month before:
   notifications' ``draft_expiring`` rule). Paper drafts are not: the municipality
   received them, so they are records of its own;
4. user accounts inactive for ``PULJEFLOW_ACCOUNT_RETENTION_MONTHS`` are anonymised:
   name, e-mail and username replaced, the id kept, so the trail shows "anonymiseret
   bruger" where it named them (``cases.trail.values``). The accounts app does it, on
   the ``accounts_due`` signal (accounts/retention.py); an account that acted on a case
   still open waits until the case is finished.

Nothing in an open case is touched. Every deletion and anonymisation is logged
(logger ``puljeflow.retention``) and counted; the daily run stores the counts on its
``RetentionRun`` row, which is also its claim: a second beat, or the same message
delivered twice, finds the day taken and does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from cases.models import (
    Application,
    ApplicationStatus,
    Attachment,
    BudgetLine,
    CaseMessage,
    Document,
    HearingAttachment,
    ReceivedDocument,
    ReportAttachment,
    RetentionRun,
    StatusGroup,
)
from cases.services.retention import apply_retention
from cases.trail.append_only import (
    RetentionNotAllowed,
    close_for_retention,
    open_for_retention,
)
from cases.trail.chain import record_transition
from cases.trail.history import system_user
from cases.trail.models import TransitionRecord

logger = logging.getLogger("puljeflow.retention")
DAYS_PER_MONTH = 365.25 / 12
# Sent before a draft is deleted, with ``application``; receivers (notifications) let go
# of the rows that point at it and return how many.
draft_deleting = Signal()


def draft_period() -> datetime.timedelta:
    return datetime.timedelta(
        days=round(DAYS_PER_MONTH * settings.PULJEFLOW_DRAFT_RETENTION_MONTHS)
    )


def draft_notice_days() -> int:
    return int(settings.PULJEFLOW_DRAFT_NOTICE_DAYS)


@dataclass
class ScheduleReport:
    anonymised_cases: list[str] = field(default_factory=list)
    association_history_rows: int = 0
    notifications: int = 0
    cases_with_files_removed: list[str] = field(default_factory=list)
    files_removed: int = 0
    drafts_deleted: int = 0
    accounts_anonymised: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        data["anonymised_cases"] = len(self.anonymised_cases)
        data["cases_with_files_removed"] = len(self.cases_with_files_removed)
        return data


# --- 2. attachments and letters of cases past retention ---------------------------------


def _finished_before(cutoff: datetime.datetime) -> Any:
    return (
        Application.objects.filter(status__in=StatusGroup.FINISHED)
        .annotate(finished_at=Coalesce("closed_at", "decided_at"))
        .filter(finished_at__lt=cutoff)
    )


def cases_with_files(cutoff: datetime.datetime) -> Any:
    return (
        _finished_before(cutoff)
        .filter(
            Exists(Attachment.objects.filter(application=OuterRef("pk")))
            | Exists(Document.objects.filter(application=OuterRef("pk")))
            | Exists(ReportAttachment.objects.filter(report__application=OuterRef("pk")))
            | Exists(HearingAttachment.objects.filter(hearing__application=OuterRef("pk")))
            | Exists(ReceivedDocument.objects.filter(application=OuterRef("pk")))
            | Exists(CaseMessage.objects.filter(application=OuterRef("pk")))
        )
        .order_by("pk")
    )


def _fingerprint(stored: Any) -> tuple[str, int]:
    """SHA-256 and size of a stored file, read in pieces; ("", 0) if it is already gone."""
    if not stored or not stored.storage.exists(stored.name):
        return "", 0
    digest = hashlib.sha256()
    size = 0
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _remove_files_of(application: Application, cutoff: datetime.datetime, actor: Any) -> int:
    items: list[tuple[Any, Any, str]] = [
        *((a, a.file, a.original_name) for a in Attachment.objects.filter(application=application)),
        *(
            (r, r.file, r.original_name)
            for r in ReportAttachment.objects.filter(report__application=application)
        ),
        *(
            (h, h.file, h.original_name)
            for h in HearingAttachment.objects.filter(hearing__application=application)
        ),
        *(
            (r, r.file, r.original_name)
            for r in ReceivedDocument.objects.filter(application=application)
        ),
        *((d, d.pdf, d.title) for d in Document.objects.filter(application=application)),
    ]
    removed: list[dict[str, Any]] = []
    names: list[tuple[Any, str]] = []
    for obj, stored, name in items:
        sha256, size = _fingerprint(stored)
        removed.append(
            {
                "model": obj._meta.model_name,
                "id": obj.pk,
                "name": name,
                "size": size,
                "sha256": sha256,
            }
        )
        if stored:
            names.append((stored.storage, stored.name))
        obj._history_user = actor
        if isinstance(obj, ReceivedDocument):
            obj.delete_at_retention()  # append-only but for this
        else:
            obj.delete()
    # Issue 17: the messages follow the case's files; the record keeps each one's fingerprint
    # (the one its own record holds), so the trail still proves what was written.
    messages = list(CaseMessage.objects.filter(application=application))
    for message in messages:
        removed.append(
            {
                "model": message._meta.model_name,
                "id": message.pk,
                "name": "",
                "size": len(message.body),
                "sha256": hashlib.sha256(message.body.encode("utf-8")).hexdigest(),
            }
        )
        message.delete_at_retention()
    # The letters' text lives on in their history rows: blanked, as the files are gone.
    Document.history.model.objects.filter(application_id=application.pk).exclude(html="").update(
        html=""
    )
    locked = Application.objects.select_for_update().get(pk=application.pk)
    record_transition(
        application=locked,
        flow="retention",
        transition="remove_files",
        from_state=locked.status,
        to_state=locked.status,
        actor=actor,
        role="system",
        reason=f"Bilag og breve slettet efter {settings.PULJEFLOW_RETENTION_YEARS} år.",
        payload={"removed_files": removed, "cutoff": cutoff.isoformat()},
    )

    def delete_stored() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete_stored)
    for item in removed:
        logger.info(
            "retention removed %s %s of case %s (sha256 %s)",
            item["model"],
            item["id"],
            application.case_number,
            item["sha256"],
        )
    return len(removed) - len(messages)  # the files; the messages are in the record


def remove_case_files(*, cutoff: datetime.datetime, report: ScheduleReport, dry_run: bool) -> None:
    actor = system_user()
    for application in cases_with_files(cutoff):
        report.cases_with_files_removed.append(application.case_number)
        if dry_run:
            continue
        with transaction.atomic():
            opened = ""
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    opened = open_for_retention(cursor)
            report.files_removed += _remove_files_of(application, cutoff, actor)
            if opened:
                with connection.cursor() as cursor:
                    close_for_retention(cursor, opened)


# --- 3. drafts never submitted ----------------------------------------------------------


def due_drafts(now: datetime.datetime) -> Any:
    return Application.objects.filter(
        status=ApplicationStatus.DRAFT,
        submitted_at__isnull=True,
        registered_by__isnull=True,
        updated_at__lt=now - draft_period(),
    ).exclude(Exists(TransitionRecord.objects.filter(application=OuterRef("pk"))))


# What a deleted draft's history rows keep: the fact and its dates, not its content.
DRAFT_HISTORY_BLANKS: dict[type[Any], dict[str, str]] = {
    Application: {
        "title": "[slettet]",
        "purpose": "",
        "target_group": "",
        "activity_description": "",
        "other_funding_note": "",
    },
    BudgetLine: {"description": "[slettet]"},
    Attachment: {"original_name": "[slettet]"},
}


def _blank_draft_history(pk: int) -> None:
    for model, blanks in DRAFT_HISTORY_BLANKS.items():
        key = "id" if model is Application else "application_id"
        model.history.model.objects.filter(**{key: pk}).update(**blanks)


def _delete_draft(draft: Application, actor: Any) -> None:
    files = [(a.file.storage, a.file.name) for a in draft.attachments.all() if a.file]
    draft_deleting.send(sender=Application, application=draft)
    for child in [*draft.attachments.all(), *draft.budget_lines.all()]:
        child._history_user = actor
        child.delete()
    pk = draft.pk
    draft._history_user = actor  # type: ignore[attr-defined]
    draft.delete()
    _blank_draft_history(pk)

    def delete_stored() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_stored)


def delete_old_drafts(*, now: datetime.datetime, report: ScheduleReport, dry_run: bool) -> None:
    actor = system_user()
    for draft in due_drafts(now).order_by("pk"):
        pk, changed = draft.pk, draft.updated_at
        if not dry_run:
            with transaction.atomic():
                opened = ""
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        opened = open_for_retention(cursor)
                _delete_draft(draft, actor)
                if opened:
                    with connection.cursor() as cursor:
                        close_for_retention(cursor, opened)
        report.drafts_deleted += 1
        logger.info(
            "retention deleted draft %s of association %s, unchanged since %s",
            pk,
            draft.association_id,
            changed.isoformat(),
        )


# --- 4. inactive accounts: answered by the accounts app (accounts/retention.py) ---------

# Sent with ``now`` and ``dry_run``; receivers return how many accounts they anonymised
# (or would). The accounts app owns its users; the domain only asks.
accounts_due = Signal()


# --- the whole schedule -----------------------------------------------------------------


def apply_schedule(
    *, years: int | None = None, now: datetime.datetime | None = None, dry_run: bool = False
) -> ScheduleReport:
    """All four steps. A step refused by the database (no retention role) is reported in
    ``errors`` and logged; the others still run."""
    years = years if years is not None else settings.PULJEFLOW_RETENTION_YEARS
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=round(365.25 * years))
    report = ScheduleReport()
    try:
        cases = apply_retention(years=years, now=now, dry_run=dry_run)
        report.anonymised_cases = cases.cases
        report.association_history_rows = cases.history_rows
        report.notifications = cases.notifications
        remove_case_files(cutoff=cutoff, report=report, dry_run=dry_run)
        delete_old_drafts(now=now, report=report, dry_run=dry_run)
    except RetentionNotAllowed as error:
        # The worker's database login lacks the retention role (README, Production).
        logger.error("retention could not overwrite history rows: %s", error)
        report.errors.append(str(error))
    answers = accounts_due.send(sender=RetentionRun, now=now, dry_run=dry_run)
    report.accounts_anonymised = sum(int(answer or 0) for _receiver, answer in answers)
    logger.info("retention %s: %s", "dry run" if dry_run else "done", report.counts())
    return report


def run_daily(now: datetime.datetime | None = None) -> RetentionRun | None:
    """Beat's run: claims today's ``RetentionRun`` row first; None if already claimed."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            run = RetentionRun.objects.create(day=timezone.localdate(now))
    except IntegrityError:
        logger.info("retention for %s already claimed", timezone.localdate(now))
        return None
    report = apply_schedule(now=now)
    run.counts = report.counts()
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def retention_periods() -> dict[str, int]:
    """The periods as set, for the privacy notice."""
    return {
        "case_years": int(settings.PULJEFLOW_RETENTION_YEARS),
        "draft_months": int(settings.PULJEFLOW_DRAFT_RETENTION_MONTHS),
        "draft_notice_days": draft_notice_days(),
        "account_months": int(settings.PULJEFLOW_ACCOUNT_RETENTION_MONTHS),
    }
