"""Writing and verifying the chain of transition records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cases.models import Application
from cases.trail.history import actor_display_name
from cases.trail.models import TransitionRecord

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record_transition(
    *,
    application: Application,
    flow: str,
    transition: str,
    from_state: str,
    to_state: str,
    actor: Any,
    role: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> TransitionRecord:
    """Append one record to the application's chain. The caller holds the row lock."""
    last = (
        TransitionRecord.objects.filter(application=application)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    data = _jsonable(payload or {})
    data["_actor_id"] = actor.pk
    record = TransitionRecord(
        application=application,
        seq=seq,
        flow=flow,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_name=actor_display_name(actor),
        role=role,
        created_at=timezone.now(),
        reason=reason,
        payload=data,
        prev_hash=prev_hash,
    )
    record.hash = record.compute_hash()
    record.save()
    return record


@dataclass
class BrokenLink:
    application_id: int
    seq: int
    record_id: int
    problem: str

    def __str__(self) -> str:
        return (
            f"application {self.application_id}, record #{self.seq} (id {self.record_id}): "
            f"{self.problem}"
        )


def verify_records(records: list[TransitionRecord]) -> BrokenLink | None:
    """Check one application's records, in seq order; return the first broken link."""
    prev = GENESIS
    expected_seq = 1
    for record in records:
        if record.seq != expected_seq:
            return BrokenLink(
                record.application_id, record.seq, record.pk, f"expected record #{expected_seq}"
            )
        if record.prev_hash != prev:
            return BrokenLink(
                record.application_id, record.seq, record.pk, "does not point at the record before"
            )
        if record.compute_hash() != record.hash:
            return BrokenLink(
                record.application_id, record.seq, record.pk, "content does not match its hash"
            )
        prev = record.hash
        expected_seq += 1
    return None


def verify_application(
    application_id: int, status: str, version: int, records: list[TransitionRecord]
) -> BrokenLink | None:
    """The chain, and that it still accounts for the case as it stands.

    Every state change bumps the application's version and appends one record of
    the application flow, so a deleted tail (or a status changed behind the flow's
    back) shows as a mismatch even where no hash was touched.
    """
    broken = verify_records(records)
    if broken is not None:
        return broken
    moves = [r for r in records if r.flow == "application"]
    last = records[-1] if records else None
    if len(moves) != version:
        return BrokenLink(
            application_id,
            last.seq if last else 0,
            last.pk if last else 0,
            f"the case has had {version} state changes but the trail records {len(moves)}",
        )
    current = moves[-1].to_state if moves else "draft"
    if current != status:
        return BrokenLink(
            application_id,
            moves[-1].seq if moves else 0,
            moves[-1].pk if moves else 0,
            f"the trail ends in “{current}” but the case is “{status}”",
        )
    return None


def verify_trail(applications: Any, *, chunk: int = 2000) -> tuple[int, int, list[BrokenLink]]:
    """Verify the applications in ``applications`` (a queryset); returns
    (applications checked, records checked, broken links — the first of each case).

    Streams the records in (application, seq) order, a chunk of applications at a
    time, so memory stays flat however long the trail.
    """
    checked = records_seen = 0
    broken: list[BrokenLink] = []
    ids = applications.order_by("pk").values_list("pk", "status", "version")
    batch: list[tuple[int, str, int]] = []

    def flush() -> None:
        nonlocal records_seen
        by_app: dict[int, list[TransitionRecord]] = {pk: [] for pk, _s, _v in batch}
        for record in TransitionRecord.objects.filter(application_id__in=by_app).order_by(
            "application_id", "seq"
        ):
            by_app[record.application_id].append(record)
            records_seen += 1
        for pk, status, version in batch:
            link = verify_application(pk, status, version, by_app[pk])
            if link is not None:
                broken.append(link)

    for row in ids.iterator(chunk_size=chunk):
        batch.append(row)
        checked += 1
        if len(batch) >= chunk:
            flush()
            batch = []
    if batch:
        flush()
    return checked, records_seen, broken
