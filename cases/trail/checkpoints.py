"""Signed checkpoints: every case's chain head, signed, written outside the database.

A checkpoint is one JSON file: each application's last record (application id,
record id, seq, hash), a SHA-256 digest over them, the checkpoint before it (name and
SHA-256 of its bytes), and an Ed25519 signature over all of that. Files are created
once (``O_EXCL``, read-only) in ``PULJEFLOW_CHECKPOINT_DIR``; production points that at
storage the database's users cannot rewrite (an append-only / WORM bucket, or a
directory shipped to the auditor) — see docs/threat-model.md.

What it buys: the HMAC key stops a forger who has only the database; a checkpoint
also stops one who holds the key, for everything before the checkpoint. A head it
names must still be in the database with the same hash, so deleting the tail, or
rewriting and re-keying history before it, shows — whatever the database says.

Beat writes one every ``PULJEFLOW_CHECKPOINT_SECONDS`` when the trail has grown
(cases.tasks.write_checkpoint); ``manage.py trail_checkpoint`` writes one on demand.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cases.trail.keys import public_key_b64, signing_key, trusted_public_keys
from cases.trail.models import TransitionRecord

FORMAT = "puljeflow-checkpoint/1"
PREFIX = "checkpoint-"


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def checkpoint_dir() -> Path:
    return Path(settings.PULJEFLOW_CHECKPOINT_DIR)


def chain_heads() -> list[list[Any]]:
    """[application id, record id, seq, hash] of every application's last record."""
    last_seq = (
        TransitionRecord.objects.filter(application_id=OuterRef("application_id"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    rows = (
        TransitionRecord.objects.filter(seq=Subquery(last_seq))
        .order_by("application_id")
        .values_list("application_id", "pk", "seq", "hash")
    )
    return [list(row) for row in rows.iterator(chunk_size=5000)]


def heads_digest(heads: list[list[Any]]) -> str:
    return hashlib.sha256(_canonical(heads)).hexdigest()


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.suffix == ".json"
    )


def checkpoint_write(*, only_if_changed: bool = False) -> Path | None:
    """Write a checkpoint; with ``only_if_changed``, None if the trail has not grown since."""
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # One writer at a time, so each checkpoint names the one before it.
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _write(directory, only_if_changed)


def _write(directory: Path, only_if_changed: bool) -> Path | None:
    heads = chain_heads()
    max_record_id = max((head[1] for head in heads), default=0)
    previous = None
    files = _files(directory)
    if files:
        raw = files[-1].read_bytes()
        previous = {"file": files[-1].name, "sha256": hashlib.sha256(raw).hexdigest()}
        if only_if_changed:
            try:
                last = json.loads(raw)
            except ValueError:
                last = {}
            if (last.get("max_record_id"), last.get("count")) == (max_record_id, len(heads)):
                return None
    now = timezone.now()
    body = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "max_record_id": max_record_id,
        "count": len(heads),
        "heads": heads,
        "digest": heads_digest(heads),
        "previous": previous,
        "public_key": public_key_b64(),
    }
    signature = signing_key().sign(_canonical(body))
    document = {**body, "signature": base64.b64encode(signature).decode()}
    path = directory / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}.json"
    # Created once, never opened for writing again: a name taken is an error, not an overwrite.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(fd, "wb") as out:
        out.write(json.dumps(document, indent=0).encode())
        out.flush()
        os.fsync(out.fileno())
    return path


@dataclass
class Checkpoint:
    name: str
    max_record_id: int
    heads: list[list[Any]]


@dataclass
class CheckpointProblem:
    name: str
    problem: str

    def __str__(self) -> str:
        return f"checkpoint {self.name}: {self.problem}"


def _check_one(path: Path, raw: bytes, previous: Path | None) -> Checkpoint | CheckpointProblem:
    name = path.name
    try:
        document = json.loads(raw)
        signature = base64.b64decode(document.pop("signature"), validate=True)
        heads = document["heads"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return CheckpointProblem(name, "unreadable: not a checkpoint")
    key = trusted_public_keys().get(document.get("public_key", ""))
    if key is None:
        return CheckpointProblem(name, "signed with a key that is not trusted here")
    try:
        key.verify(signature, _canonical(document))
    except InvalidSignature:
        return CheckpointProblem(name, "the signature does not verify: the file was changed")
    if heads_digest(heads) != document.get("digest"):
        return CheckpointProblem(name, "its heads do not match its digest")
    expected = None
    if previous is not None:
        expected = {
            "file": previous.name,
            "sha256": hashlib.sha256(previous.read_bytes()).hexdigest(),
        }
    if document.get("previous") != expected:
        return CheckpointProblem(name, "the checkpoint before it is missing or was changed")
    return Checkpoint(name, int(document.get("max_record_id", 0)), heads)


def load_checkpoints() -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Every checkpoint in the directory, oldest first, with its signature and link checked."""
    good: list[Checkpoint] = []
    problems: list[CheckpointProblem] = []
    previous: Path | None = None
    for path in _files(checkpoint_dir()):
        result = _check_one(path, path.read_bytes(), previous)
        if isinstance(result, Checkpoint):
            good.append(result)
        else:
            problems.append(result)
        previous = path
    return good, problems


def recorded_heads(
    checkpoints: Iterable[Checkpoint], application_ids: set[int] | None
) -> dict[int, tuple[int, int, str, str]]:
    """record id -> (application id, seq, hash, first checkpoint naming it)."""
    heads: dict[int, tuple[int, int, str, str]] = {}
    for checkpoint in checkpoints:
        for application_id, record_id, seq, digest in checkpoint.heads:
            if application_ids is not None and application_id not in application_ids:
                continue
            heads.setdefault(
                int(record_id), (int(application_id), int(seq), digest, checkpoint.name)
            )
    return heads
