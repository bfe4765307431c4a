"""Handing a case and its documents to the journal: the ``Handover`` rows and their runs.

Like the notification outbox (notifications/delivery.py), simply: a row is *due* while it
is pending or failed and its ``next_attempt_at`` has passed. An attempt claims the row with
one conditional UPDATE that moves ``next_attempt_at`` a lease ahead, so of any number of
workers (the task after commit, beat's sweep, »Journalisér nu«) exactly one gets it; a
worker that dies leaves the row due again when the lease runs out. Then, with the case's
row locked (one case is handed over by one worker at a time, so ``case.json`` is never
written by two), the adapter is called, the row marked done and, when something new was
handed over, the event chained in the case's trail — in one transaction. An adapter is
idempotent, so an attempt repeated after a crash hands over nothing twice: the trail
records what the row did not yet know.

When: a case is handed over from its first step as a case (submission, or a paper
application's registration) — each later step brings its status up to date — and each
document as it is created (``signals.py``), after commit; beat's sweep retries what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases import roles
from cases.handover import documents
from cases.handover.journal import journal, journal_enabled
from cases.models import Application, Handover, HandoverObject, HandoverStatus, Role
from cases.services.case_events import record_case_event
from cases.trail.history import system_user

logger = logging.getLogger("puljeflow.handover")

FLOW = "handover"
CASE_EVENT = "journal_case"
DOCUMENT_EVENT = "journal_document"
DUE = (HandoverStatus.PENDING, HandoverStatus.FAILED)


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "PULJEFLOW_HANDOVER_LEASE_SECONDS", 300)))


def max_attempts() -> int:
    return int(getattr(settings, "PULJEFLOW_HANDOVER_MAX_ATTEMPTS", 12))


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4, … minutes, at most a day."""
    return timedelta(minutes=min(2 ** min(max(attempts - 1, 0), 20), 24 * 60))


def due(now: datetime) -> QuerySet[Handover]:
    return Handover.objects.filter(
        status__in=DUE, next_attempt_at__lte=now, attempts__lt=max_attempts()
    )


def claim(handover_id: int, now: datetime) -> bool:
    return bool(
        due(now)
        .filter(pk=handover_id)
        .update(next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    )


# --- writing the rows ------------------------------------------------------------------------


def _mark_due(
    application_id: int, keys: Iterable[tuple[str, int]], *, again_if_done: bool = True
) -> None:
    """Each (kind, id) pending and due now; a row that does not exist yet is created.
    ``again_if_done`` False: a document handed over already is left alone (the case row is
    always due again: its status may have changed)."""
    target = journal().name
    now = timezone.now()
    keys = list(keys)
    existing = set(
        Handover.objects.filter(application_id=application_id, target=target).values_list(
            "kind", "object_id"
        )
    )
    new = [k for k in keys if k not in existing]
    for kind, object_id in new:
        try:
            with transaction.atomic():
                Handover.objects.create(
                    application_id=application_id,
                    target=target,
                    kind=kind,
                    object_id=object_id,
                    next_attempt_at=now,
                )
        except IntegrityError:  # written meanwhile by another request: it is there
            pass
    again = Q()
    for kind, object_id in keys:
        if (kind, object_id) in existing:
            again |= Q(kind=kind, object_id=object_id)
    if again:
        rows = Handover.objects.filter(again, application_id=application_id, target=target)
        # The receipt once handed over stays as it was (documents.py says why).
        rows = rows.exclude(kind=HandoverObject.RECEIPT, status=HandoverStatus.DONE)
        if not again_if_done:
            rows = rows.exclude(~Q(kind=HandoverObject.CASE) & Q(status=HandoverStatus.DONE))
        rows.update(status=HandoverStatus.PENDING, next_attempt_at=now, attempts=0)


def _after_commit(application_id: int) -> None:
    from cases.handover import tasks

    def publish_handover() -> None:
        # A broker that is down must not turn the committed change (a submission, a
        # decision) into an error page: the rows are due, and beat's sweep hands them over
        # (issue 19's load test found a submit answering 500 while Redis restarted).
        try:
            tasks.journal_application.delay(application_id)
        except Exception as error:
            logger.warning(
                "hand-over of application %s not queued (%s: %s); the sweep will do it",
                application_id,
                type(error).__name__,
                error,
            )

    transaction.on_commit(publish_handover, robust=True)


def schedule_case(application: Application) -> None:
    """The case (its status brought up to date) due now, handed over after commit; when it
    is handed over, every document of it not yet handed over is made due too (``catch_up``).

    Runs inside every transition: once the case has its row, that row is made due again by
    one UPDATE; listing the case's documents is the worker's part, not the transaction's.
    """
    if not journal_enabled() or not documents.is_a_case(application):
        return
    again = Handover.objects.filter(
        application_id=application.pk, target=journal().name, kind=HandoverObject.CASE
    ).update(status=HandoverStatus.PENDING, next_attempt_at=timezone.now(), attempts=0)
    if not again:
        # The first time: the case's row; its documents follow when it is handed over.
        Handover.objects.bulk_create(
            [
                Handover(
                    application_id=application.pk,
                    target=journal().name,
                    kind=HandoverObject.CASE,
                    object_id=0,
                    next_attempt_at=timezone.now(),
                )
            ],
            ignore_conflicts=True,
        )
    _after_commit(application.pk)


def catch_up(application: Application) -> None:
    """Every document of the case without a hand-over row (one made while journalising was
    off, say) gets one, due now; a document handed over already is left alone."""
    _mark_due(application.pk, documents.objects_of(application), again_if_done=False)


def schedule_object(application: Application, kind: str, object_id: int) -> None:
    """One new or changed document of a case, handed over after commit."""
    if not journal_enabled() or not documents.is_a_case(application):
        return
    if not Handover.objects.filter(
        application_id=application.pk, kind=HandoverObject.CASE
    ).exists():
        # The case itself is not journalised yet (e.g. journalising was switched on later).
        schedule_case(application)
        return
    _mark_due(application.pk, [(kind, object_id)])
    _after_commit(application.pk)


# --- handing over ------------------------------------------------------------------------------


def hand_over(handover_id: int, *, actor: Any = None, role: str = roles.SYSTEM) -> str | None:
    """One attempt; the row's status afterwards, or None if it was not due."""
    now = timezone.now()
    if not claim(handover_id, now):
        return None
    row = Handover.objects.get(pk=handover_id)
    adapter = journal()
    try:
        with transaction.atomic():
            # Only the case's row (OF self): locking the joined round, municipality and
            # association too held off every new application in the round (its foreign-key
            # check) and deadlocked with them under load (issue 19's load test).
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("association", "round", "municipality")
                .get(pk=row.application_id)
            )
            case = documents.case_metadata(application)
            if row.kind == HandoverObject.CASE:
                catch_up(application)
                reference = adapter.hand_over_case(case)
                sha, version, event = "", 0, CASE_EVENT if reference != row.reference else ""
                payload: dict[str, Any] = {"target": adapter.name, "journal_reference": reference}
                payload["kle"] = case.kle
                reason = case.title
            elif row.kind == HandoverObject.RECEIPT and row.sha256:
                # The receipt is journalised once (documents.py says why).
                reference, sha, version, event = row.reference, row.sha256, row.version, ""
                payload, reason = {}, ""
            else:
                document = documents.load(application, row.kind, row.object_id)
                receipt = adapter.hand_over_document(case, document)
                reference, sha, version = receipt.reference, document.sha256, receipt.version
                event = DOCUMENT_EVENT if sha != row.sha256 else ""
                payload = {
                    "target": adapter.name,
                    "journal_reference": reference,
                    "journal_document": document.key,
                    "sha256": sha,
                    "version": version,
                }
                reason = document.title
            Handover.objects.filter(pk=row.pk).update(
                status=HandoverStatus.DONE,
                reference=reference,
                sha256=sha,
                version=version,
                handed_over_at=timezone.now(),
                last_error="",
            )
            if event:
                record_case_event(
                    application,
                    flow=FLOW,
                    event=event,
                    actor=actor or system_user(),
                    role=role,
                    reason=reason[:300],
                    **payload,
                )
    except Exception as error:  # the adapter's failure, of whatever kind: retried
        message = f"{type(error).__name__}: {error}"[:2000]
        Handover.objects.filter(pk=row.pk).update(
            status=HandoverStatus.FAILED,
            last_error=message,
            next_attempt_at=timezone.now() + backoff(row.attempts + 1),
        )
        logger.warning("hand-over %s failed (attempt %s): %s", row.pk, row.attempts + 1, message)
        return HandoverStatus.FAILED
    return HandoverStatus.DONE


def hand_over_application(
    application_id: int, *, actor: Any = None, role: str = roles.SYSTEM
) -> int:
    """Every due row of one case, the case first; how many were tried."""
    if not journal_enabled():
        return 0

    def rows() -> QuerySet[Handover]:
        return due(timezone.now()).filter(application_id=application_id)

    # The case first: handing it over makes due what is missing of its documents.
    cases = list(rows().filter(kind=HandoverObject.CASE).values_list("pk", flat=True))
    for pk in cases:
        hand_over(pk, actor=actor, role=role)
    ids = list(rows().exclude(kind=HandoverObject.CASE).order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        hand_over(pk, actor=actor, role=role)
    return len(cases) + len(ids)


def sweep_due(batch: int | None = None) -> int:
    """Beat's sweep: every due row, oldest first, at most ``batch``; how many were tried."""
    size = batch or int(getattr(settings, "PULJEFLOW_HANDOVER_SWEEP_BATCH", 200))
    if not journal_enabled():
        return 0
    rows = list(
        due(timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "application_id", "kind")[:size]
    )
    tried, whole = 0, set()
    for pk, application_id, kind in rows:
        if application_id in whole:
            continue  # handed over with its case just now
        if kind == HandoverObject.CASE:
            # The case, then what handing it over made due of its documents.
            tried += hand_over_application(application_id)
            whole.add(application_id)
        else:
            hand_over(pk)
            tried += 1
    return tried


def journal_now(*, application: Application, acting_user: Any) -> int:
    """»Journalisér nu«: the case and all its documents, now, by ``acting_user``; the
    permission is the caller's (``permissions.require_may_journal``). Rows that failed too
    often are tried again. Returns how many were tried."""
    with transaction.atomic():
        _mark_due(application.pk, documents.objects_of(application))
    officer = roles.staff_role(acting_user, application, Role.CASE_OFFICER)
    role = Role.CASE_OFFICER if officer else Role.MANAGER
    return hand_over_application(application.pk, actor=acting_user, role=role.value)
