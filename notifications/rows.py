"""Inserting many rows of a table without building a model instance for each: the
reminder sweep's keys and outbox rows (``reminders/engine.py``).

A cold sweep writes tens of thousands of rows. Through ``bulk_create`` each costs a
``Model.__init__`` and, when Django compiles the INSERT, a ``pre_save`` and a
``get_db_prep_save`` per field: at 100,000 open applications that was a third of the
sweep's time (docs/benchmarks.md, "Issue 19: reminder sweeps"). On PostgreSQL, rows that
need only their new ids back go by ``COPY`` (the ids taken from the sequence first);
others as one array per column into a single ``INSERT … SELECT * FROM unnest(…)``,
which hands back what ``RETURNING`` names (the keys an ``ON CONFLICT DO NOTHING``
actually inserted). Other backends get ``bulk_create``.

Only for tables without model history (``Notification`` and ``Reminder`` have none; see
``notifications/models.py``), and the caller gives every column a value, defaults
included: nothing of the model's ``save`` runs. ``tests/notifications/test_rows.py``
holds that a row written here equals the row ``bulk_create`` writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    returning: Sequence[str] = ("id",),
    ignore_conflicts: bool = False,
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (field name → value, the same fields in each) into ``model``'s table
    in one statement; returns the ``returning`` fields of the rows inserted, in order.
    With ``ignore_conflicts`` a row that would break a unique constraint is left out, and
    so is it from what is returned."""
    if getattr(model._meta, "simple_history_manager_attribute", None):
        raise TypeError(f"{model.__name__} keeps history: write it through its model")
    if not rows:
        return []
    if not returns_inserted():
        if ignore_conflicts:
            raise ValueError("ignore_conflicts needs returns_inserted(): check it first")
        objects = [model(**row) for row in rows]
        model._default_manager.bulk_create(objects)
        return [tuple(getattr(o, name) for name in returning) for o in objects]
    if tuple(returning) == ("id",) and not ignore_conflicts:
        return [(pk,) for pk in _copy(model, rows)]
    quote = connection.ops.quote_name
    names = list(rows[0])
    fields = [_field(model, name) for name in names]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    back = ", ".join(quote(str(_field(model, n).column)) for n in returning)
    # Names and types from the model's own metadata, quoted; the values go as parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608  # nosec B608
        f"SELECT * FROM unnest({arrays})"
        f"{' ON CONFLICT DO NOTHING' if ignore_conflicts else ''} RETURNING {back}"
    )
    params = [[row[name] for row in rows] for name in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """PostgreSQL's COPY, the fastest way in (a third of the unnest INSERT's time for a
    thousand outbox rows): the ids are taken from the table's sequence first, in one query,
    as the INSERT would have taken them. The COPY is run through Django's execute wrappers
    and query log like any statement, so that what counts queries still sees it."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = list(rows[0])
    columns = ", ".join(quote(str(_field(model, n).column)) for n in ("id", *names))
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [meta.db_table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]

        def copy_rows(sql: str, params: Any, many: bool, context: Any) -> None:
            with cursor.cursor.copy(sql) as copy:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row([pk, *(row[n] for n in names)])

        debug = getattr(cursor, "debug_sql", None)  # a CursorDebugWrapper logs queries
        with debug(sql) if debug is not None else contextlib.nullcontext():
            cursor._execute_with_wrappers(sql, None, False, copy_rows)
    return ids


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's field by its name or its attname (``recipient_id``)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a column of {model.__name__}")
    return field


def returns_inserted() -> bool:
    """Whether ``insert`` can say which rows an ``ignore_conflicts`` insert made
    (PostgreSQL); elsewhere the caller inserts with ``bulk_create`` and reads them back."""
    return connection.vendor == "postgresql"
