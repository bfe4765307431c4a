"""Writing the chain of transition records, and checking one chain's links.

Each new record is keyed (an HMAC with the current key, cases/trail/keys.py) and
carries ``state``: the case's fields as the transition left them, read from the
object the caller holds locked — no query beyond the one for the previous record.
Whole-trail verification (cases agree with their records, checkpoints) is verify.py.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cases.compiled import Compiled
from cases.models import Application
from cases.trail.history import actor_display_name
from cases.trail.keys import current_key_id
from cases.trail.models import TransitionRecord

GENESIS = "0" * 64

# The case's fields only the flow changes, as each record leaves them.
STATE_FIELDS = (
    "status",
    "version",
    "submitted_at",
    "recommendation_outcome",
    "recommended_amount",
    "granted_amount",
    "decided_at",
    "closed_at",
)


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


jsonable = _jsonable  # a record's payload as stored: for what must match it (letters)


def _normal(value: Any) -> Any:
    # The same text for a value as assigned and as read back: 100000 and 100000.00 alike.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return _jsonable(value)


def history_digest(row: Any) -> str:
    """SHA-256 over every column of a history row (it is hashed into the record after it)."""
    body = {f.attname: _normal(getattr(row, f.attname)) for f in row._meta.concrete_fields}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def state_of(application: Application) -> dict[str, Any]:
    """The case's STATE_FIELDS, and the history row its transition wrote (if it saved)."""
    state = {name: _jsonable(getattr(application, name)) for name in STATE_FIELDS}
    row = getattr(application, "_trail_history", None)
    if row is not None:
        state["history"] = {"id": row.history_id, "digest": history_digest(row)}
    return state


def seal(record: TransitionRecord, application: Application) -> None:
    """Key ``record`` with the current key, with the case's state, and set its hash."""
    record.key_id = current_key_id()
    record.state = state_of(application)
    digest = record.compute_hash()
    if digest is None:  # cannot happen: the current key is one of the keys held
        raise ImproperlyConfigured(f"The trail key “{record.key_id}” is not held.")
    record.hash = digest


# Read on every append: compiled once (cases/compiled.py).
HEAD = Compiled(
    lambda application: (
        TransitionRecord.objects.filter(application_id=application)
        .order_by("-seq")
        .values_list("seq", "hash")[:1]
    ),
    "application",
)


def _head(application: Application) -> tuple[int, str]:
    """The next seq and the previous hash, read in a statement of their own after the row
    lock. Not in the locking SELECT itself: under READ COMMITTED a row lock that had to be
    waited for refreshes the locked row but not the rest of that statement, so a record
    appended meanwhile by a writer that only locks the case (a file note, a hand-over, a
    conflict declared) would be missed (tests/workflows/test_concurrency.py). A stale head
    could not pass anyway, (application, seq) is unique, but the user would get an error."""
    last = HEAD.rows(application=application.pk)
    return (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)


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
    seq, prev_hash = _head(application)
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
    seal(record, application)
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
    """Check one application's records, in seq order; return the first broken link.

    An unkeyed record is accepted only before the chain's first keyed one: after the
    upgrade every record is keyed, so an unkeyed one later on is a forgery.
    """
    prev = GENESIS
    expected_seq = 1
    keyed = False
    for record in records:
        if record.seq != expected_seq:
            return BrokenLink(
                record.application_id, record.seq, record.pk, f"expected record #{expected_seq}"
            )
        if record.prev_hash != prev:
            return BrokenLink(
                record.application_id, record.seq, record.pk, "does not point at the record before"
            )
        if keyed and not record.key_id:
            return BrokenLink(
                record.application_id, record.seq, record.pk, "unkeyed record after keyed ones"
            )
        digest = record.compute_hash()
        if digest is None:
            return BrokenLink(
                record.application_id,
                record.seq,
                record.pk,
                f"made with key “{record.key_id}”, which this server does not hold",
            )
        if not hmac.compare_digest(digest, record.hash):
            return BrokenLink(
                record.application_id, record.seq, record.pk, "content does not match its hash"
            )
        keyed = keyed or bool(record.key_id)
        prev = record.hash
        expected_seq += 1
    return None
