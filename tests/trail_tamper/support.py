"""What an insider with database access does, and how the tamper tests ask verify_trail.

On PostgreSQL the append-only trigger refuses every change to the trail, so these
helpers act as the tables' owner (a DBA): they switch the trigger off around the
change. tests/trail_tamper/test_database_roles.py shows the application's own role
cannot do even that.
"""

from __future__ import annotations

import hashlib
import hmac
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Application
from cases.trail.models import TransitionRecord

RECORDS = TransitionRecord._meta.db_table
HISTORY = Application.history.model._meta.db_table  # type: ignore[attr-defined]
APPLICATIONS = Application._meta.db_table
WRONG_KEY = b"an insider's guess at the key...."


def as_owner(sql: str, params: list[Any], table: str | None = None) -> None:
    """Run ``sql`` as the tables' owner would: with ``table``'s trigger switched off."""
    with connection.cursor() as cursor:
        if table and connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER puljeflow_append_only")
        cursor.execute(sql, params)
        if table and connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER puljeflow_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def records_of(application: Application) -> list[TransitionRecord]:
    return list(TransitionRecord.objects.filter(application=application).order_by("seq"))


def rewrite(record: TransitionRecord) -> None:
    """Store ``record``'s reason, key id, links and hash over the row it came from."""
    as_owner(
        f"UPDATE {RECORDS} SET reason = %s, key_id = %s, prev_hash = %s, hash = %s "  # noqa: S608
        "WHERE id = %s",
        [record.reason, record.key_id, record.prev_hash, record.hash, record.pk],
        RECORDS,
    )


def forged_hash(record: TransitionRecord, how: str) -> str:
    """The hash a forger gives ``record``: unkeyed SHA-256, an HMAC with a guessed key, or
    (an insider who also holds the key) the real one."""
    if how == "unkeyed":
        record.key_id = ""
        return hashlib.sha256(record.canonical()).hexdigest()
    if how == "wrong key":
        return hmac.new(WRONG_KEY, record.canonical(), hashlib.sha256).hexdigest()
    digest = record.compute_hash()
    assert digest is not None
    return digest


def rehash_from(application: Application, seq: int, how: str) -> None:
    """Re-link and re-hash every record from ``seq`` on, as a forger covering an edit."""
    records = records_of(application)
    prev = records[seq - 2].hash if seq > 1 else "0" * 64
    for record in records[seq - 1 :]:
        record.prev_hash = prev
        record.hash = forged_hash(record, how)
        rewrite(record)
        prev = record.hash


def set_case(application: Application, **columns: Any) -> None:
    """``UPDATE cases_application SET …`` behind the flow's back."""
    names = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    as_owner(
        f"UPDATE {APPLICATIONS} SET {names} WHERE id = %s",  # noqa: S608
        [*columns.values(), application.pk],
    )


def verify(*args: str) -> tuple[int, str]:
    """``manage.py verify_trail``: (exit code, everything it printed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_trail", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, err.getvalue() + str(error)
    return 0, out.getvalue()
