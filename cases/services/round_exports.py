"""A round's complete export, made by a Celery worker and kept for a day.

A person asks on the round's export page (``request_export``); the row commits and its
task is queued after the commit (``cases.tasks.build_round_export``). The worker claims
the row with a conditional UPDATE (``_claim``: two workers, or a task delivered twice,
make it once), writes the ZIP into a temporary file in the asker's language and the
municipality's time zone, noting how many cases are written (at most every
``PROGRESS_SECONDS``: the page shows it, and it is the worker's sign of life), stores it
through Django's storage and records its size and SHA-256. The page shows it when it is
ready; only the asker downloads it.

Beat's sweep (``sweep``, every five minutes) queues again what the after-commit task
missed (the broker was down) and what lost its worker (no sign of life for
``PULJEFLOW_EXPORT_STALE_MINUTES``, however large the round), gives up after
``PULJEFLOW_EXPORT_ATTEMPTS`` starts, and deletes files ``PULJEFLOW_EXPORT_KEEP_HOURS``
after they were ready.
"""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.text import slugify

from cases.documents import exports
from cases.models import GrantRound, RoundExport
from cases.services.case_documents import sha256_of

log = logging.getLogger("puljeflow.exports")

# A request not started this long after it was made: its task was not queued, or lost.
UNSTARTED = datetime.timedelta(minutes=5)
# The progress (cases written) is written at most this often: one UPDATE, not one a case.
PROGRESS_SECONDS = 2.0


def request_export(grant_round: GrantRound, user: Any, language: str) -> tuple[RoundExport, bool]:
    """The user's export of the round: one they asked for that is not made yet, or a new
    one, queued after the commit. Returns the export and whether it is new. The database
    holds one unfinished export per person and round (``round_export_one_open``), so two
    orders at once (a double click) give one export."""
    mine = _open().filter(grant_round=grant_round, requested_by=user)
    waiting = mine.first()
    if waiting is not None:
        return waiting, False
    try:
        with transaction.atomic():
            export = RoundExport.objects.create(
                grant_round=grant_round, requested_by=user, language=language
            )
    except IntegrityError:  # the other order won
        return mine.get(), False
    transaction.on_commit(lambda: _queue(export.pk))
    return export, True


def _queue(export_id: int) -> None:
    from cases.tasks import build_round_export

    try:
        build_round_export.delay(export_id)
    except Exception:  # broker down: the sweep queues it again
        log.warning("could not queue round export %s", export_id, exc_info=True)


def _open() -> Any:
    return RoundExport.objects.filter(finished_at__isnull=True, failed_at__isnull=True)


def _stale(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.PULJEFLOW_EXPORT_STALE_MINUTES)


def _claim(export_id: int) -> RoundExport | None:
    """The export, started now by this worker; None if it is made, given up, or being made
    by a live worker."""
    now = timezone.now()
    won = (
        _open()
        .filter(Q(started_at__isnull=True) | Q(alive_at__lt=_stale(now)))
        .filter(pk=export_id, attempts__lt=settings.PULJEFLOW_EXPORT_ATTEMPTS)
        .update(started_at=now, alive_at=now, cases_done=0, attempts=F("attempts") + 1)
    )
    if not won:
        return None
    return RoundExport.objects.select_related("grant_round__municipality").get(pk=export_id)


def build(export_id: int) -> RoundExport | None:
    """Make the export if it is this worker's to make (``_claim``); returns it, or None."""
    export = _claim(export_id)
    if export is None:
        return None
    # Whoever claims it after a lost worker starts it again; what this run finishes counts
    # only while the start is still this run's.
    mine = RoundExport.objects.filter(pk=export.pk, started_at=export.started_at)
    try:
        with tempfile.TemporaryFile() as target:
            with (
                translation.override(export.language),
                timezone.override(settings.TIME_ZONE),
            ):
                cases = exports.round_zip(export.grant_round, target, _progress(mine))
            digest, size = sha256_of(target), target.seek(0, os.SEEK_END)
            target.seek(0)
            name = f"{slugify(export.grant_round.name) or 'pulje'}.zip"
            export.file.save(name, File(target, name=name), save=False)
    except Exception as error:
        log.exception("round export %s could not be made", export.pk)
        mine.update(failed_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:300])
        export.refresh_from_db()
        return export
    finished = mine.update(
        finished_at=timezone.now(), file=export.file.name, size=size, sha256=digest, cases=cases
    )
    if not finished:  # taken over meanwhile: the other run's file is the one kept
        export.file.delete(save=False)
    export.refresh_from_db()
    return export


def _progress(mine: Any) -> Callable[[int, int], None]:
    """Write how far the export is (and that its worker lives) at most every
    ``PROGRESS_SECONDS``, and at the first and last case."""
    last = [-PROGRESS_SECONDS]

    def note(done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            mine.update(alive_at=timezone.now(), cases_done=done, cases=total)

    return note


def sweep() -> dict[str, int]:
    """Queue again what was lost, give up on what lost its worker too often, delete files
    past their day. Safe to run at any time and twice."""
    now = timezone.now()
    stale = _stale(now)
    given_up = (
        _open()
        .filter(alive_at__lt=stale, attempts__gte=settings.PULJEFLOW_EXPORT_ATTEMPTS)
        .update(failed_at=now, error="The worker stopped before it was made, every attempt.")
    )
    lost = list(
        _open()
        .filter(
            Q(started_at__isnull=True, requested_at__lt=now - UNSTARTED) | Q(alive_at__lt=stale)
        )
        .values_list("pk", flat=True)
    )
    for export_id in lost:
        _queue(export_id)
    keep = datetime.timedelta(hours=settings.PULJEFLOW_EXPORT_KEEP_HOURS)
    deleted = 0
    for export in RoundExport.objects.filter(finished_at__lt=now - keep, deleted_at__isnull=True):
        if export.file:
            export.file.delete(save=False)
        deleted += RoundExport.objects.filter(pk=export.pk, deleted_at__isnull=True).update(
            deleted_at=now, file=""
        )
    return {"queued": len(lost), "given_up": given_up, "deleted": deleted}
