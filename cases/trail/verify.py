"""Verifying the whole trail: each chain, each case against its last record, the checkpoints.

Three layers, each catching what the one before cannot:

1. the chain (chain.verify_records): a changed, removed or inserted record — and,
   with the HMAC key held outside the database, a re-hashed one;
2. the case against its last record: a keyed record carries the case's status,
   version, amounts and dates as it left them (``state``), so an UPDATE of the case
   behind the flow's back shows; records from before the keys are checked by the
   count of state changes, the final state and the amount decided;
3. the signed checkpoints (checkpoints.py): every head a checkpoint names must still
   be in the database with the same hash, which catches a deleted tail (with the
   case reverted to match) and history rewritten by someone holding the HMAC key;
4. the file notes and documents received each match their record (coverage.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cases.models import Application
from cases.trail import coverage
from cases.trail.chain import STATE_FIELDS, BrokenLink, history_digest, verify_records
from cases.trail.checkpoints import CheckpointProblem, load_checkpoints, recorded_heads
from cases.trail.models import TransitionRecord

_DECIMALS = {"recommended_amount", "granted_amount"}
_DATES = {"submitted_at", "decided_at", "closed_at"}
DECISIONS = {"decide", "decide_directly"}


@dataclass
class TrailReport:
    applications: int = 0
    records: int = 0
    checkpoints: int = 0
    problems: list[BrokenLink | CheckpointProblem] = field(default_factory=list)


def _same(name: str, current: Any, recorded: Any) -> bool:
    if current in (None, "") or recorded in (None, ""):
        return current in (None, "") and recorded in (None, "")
    try:
        if name in _DECIMALS:
            return Decimal(str(current)) == Decimal(str(recorded))
        if name in _DATES:
            return bool(current == datetime.datetime.fromisoformat(str(recorded)))
    except (InvalidOperation, ValueError):
        return False
    return bool(current == recorded)


def _shown(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return "–" if value in (None, "") else str(value)


def _state_mismatch(case: dict[str, Any], last: TransitionRecord) -> str | None:
    wrong = [
        f"{name} is {_shown(case[name])} but the record says {_shown(last.state.get(name))}"
        for name in STATE_FIELDS
        if not _same(name, case[name], last.state.get(name))
    ]
    if not wrong:
        return None
    return "the case does not agree with its last record: " + "; ".join(wrong)


def _legacy_mismatch(case: dict[str, Any], records: list[TransitionRecord]) -> str | None:
    """Before the keys, records carried no state: the amount decided is in the payload."""
    decisions = [r for r in records if r.flow == "application" and r.transition in DECISIONS]
    recorded = decisions[-1].payload.get("amount") if decisions else None
    if not _same("granted_amount", case["granted_amount"], recorded):
        return (
            f"granted_amount is {_shown(case['granted_amount'])} but the decision recorded "
            f"{_shown(recorded)}"
        )
    return None


def verify_application(case: dict[str, Any], records: list[TransitionRecord]) -> BrokenLink | None:
    """The chain, and that it still accounts for the case as it stands.

    ``case`` holds the application's ``pk`` and its STATE_FIELDS as the database has them.
    """
    broken = verify_records(records)
    if broken is not None:
        return broken
    pk, version, status = case["pk"], case["version"], case["status"]
    moves = [r for r in records if r.flow == "application"]
    last = records[-1] if records else None
    where = (last.seq, last.pk) if last else (0, 0)
    if len(moves) != version:
        return BrokenLink(
            pk,
            *where,
            f"the case has had {version} state changes but the trail records {len(moves)}",
        )
    current = moves[-1].to_state if moves else "draft"
    if current != status:
        at = (moves[-1].seq, moves[-1].pk) if moves else (0, 0)
        return BrokenLink(pk, *at, f"the trail ends in “{current}” but the case is “{status}”")
    if last is not None and last.key_id:
        problem = _state_mismatch(case, last)
    else:
        problem = _legacy_mismatch(case, records)
    return BrokenLink(pk, *where, problem) if problem else None


def _check_heads(
    expected: dict[int, tuple[int, int, str, str]], found: dict[int, tuple[int, int, str]]
) -> list[BrokenLink]:
    problems = []
    for record_id, (application_id, seq, digest, name) in sorted(expected.items()):
        have = found.get(record_id)
        if have is None:
            problem = f"named in checkpoint {name}, gone from the database"
        elif have != (application_id, seq, digest):
            problem = f"differs from checkpoint {name}: the record was replaced"
        else:
            continue
        problems.append(BrokenLink(application_id, seq, record_id, problem))
    return problems


def _check_history(refs: dict[int, TransitionRecord]) -> list[BrokenLink]:
    """Each history row a keyed record names is still there, column for column."""
    problems = []
    rows = Application.history.model.objects.filter(history_id__in=refs)
    found = {row.history_id: row for row in rows}
    for history_id, record in sorted(refs.items()):
        row = found.get(history_id)
        if row is None:
            problem = f"the case's history row {history_id} it names is gone"
        elif history_digest(row) != record.state["history"]["digest"]:
            problem = f"the case's history row {history_id} it names was changed"
        else:
            continue
        problems.append(BrokenLink(record.application_id, record.seq, record.pk, problem))
    return problems


def verify_trail(applications: Any, *, scoped: bool = False, chunk: int = 2000) -> TrailReport:
    """Verify the applications in ``applications`` (a queryset) and the checkpoints.

    ``scoped``: ``applications`` is a part of them (a round, a case), so a checkpoint's
    heads of other cases are not looked for; unscoped, a head whose case is gone from
    the database altogether is reported too. Streams the records in (application, seq)
    order, a chunk of applications at a time, so memory stays flat however long the
    trail; the checkpoints' heads and the history rows are looked up in the same pass.
    """
    report = TrailReport()
    checkpoints, unreadable = load_checkpoints()
    report.problems += unreadable
    report.checkpoints = len(checkpoints)
    # Every record is keyed from the upgrade on, and the first checkpoint came after it:
    # only a record at or before the head it names for its case may be unkeyed (a case
    # it does not name had no record yet). Without a checkpoint, chain.py's rule holds.
    unkeyed_until = (
        {int(app): int(seq) for app, _record, seq, _hash in checkpoints[0].heads}
        if checkpoints
        else None
    )
    heads = recorded_heads(checkpoints, None)
    found: dict[int, tuple[int, int, str]] = {}
    seen_apps: set[int] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        by_app: dict[int, list[TransitionRecord]] = {case["pk"]: [] for case in batch}
        history: dict[int, TransitionRecord] = {}
        for record in TransitionRecord.objects.filter(application_id__in=by_app).order_by(
            "application_id", "seq"
        ):
            by_app[record.application_id].append(record)
            report.records += 1
            if record.pk in heads:
                found[record.pk] = (record.application_id, record.seq, record.hash)
            if record.key_id:
                if isinstance(record.state.get("history"), dict):
                    history[int(record.state["history"]["id"])] = record
            elif unkeyed_until is not None and record.seq > unkeyed_until.get(
                record.application_id, 0
            ):
                report.problems.append(
                    BrokenLink(
                        record.application_id,
                        record.seq,
                        record.pk,
                        "unkeyed, but after the first checkpoint every record is keyed",
                    )
                )
        report.problems += _check_history(history)
        report.problems += coverage.uncovered(by_app)
        for case in batch:
            link = verify_application(case, by_app[case["pk"]])
            if link is not None:
                report.problems.append(link)

    for case in applications.order_by("pk").values("pk", *STATE_FIELDS).iterator(chunk_size=chunk):
        batch.append(case)
        seen_apps.add(case["pk"])
        report.applications += 1
        if len(batch) >= chunk:
            flush()
            batch = []
    if batch:
        flush()
    if scoped:
        heads = {k: v for k, v in heads.items() if v[0] in seen_apps}
    report.problems += _check_heads(heads, found)
    return report
