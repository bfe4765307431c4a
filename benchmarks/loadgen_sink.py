"""Where the load generator's rows go: buffered per table, ids handed out, written in bulk.

PostgreSQL gets ``COPY`` (psycopg 3 ``cursor.copy``), SQLite plain multi-row INSERTs.
A counting sink writes nothing: it only hands out ids and counts rows per table, so a
parallel load can give each worker its own dense block of ids before anyone writes
(``benchmarks/loadgen.py``).
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models

BATCH = 20_000


@dataclass
class _Table:
    model: type[models.Model]
    columns: list[models.Field]
    pk: str
    next_id: int
    defaults: dict[str, Any]
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values, in column order
    converters: list[tuple[int, Callable[[Any], Any]]]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    written: int = 0
    seconds: float = 0.0


class Sink:
    """Buffers rows per table, assigns ids itself and writes them in bulk.

    Ids are handed out from ``start[table]`` when given (a parallel worker's block),
    else from MAX(id) + 1, so a row can be referenced before it is written; the
    sequences are moved past them at the end (``set_sequences``).
    """

    def __init__(
        self, now: datetime, *, start: dict[str, int] | None = None, counting: bool = False
    ) -> None:
        self.now = now
        self.start = start or {}
        self.counting = counting
        self.tables: dict[type[models.Model], _Table] = {}
        self.historical: dict[type[models.Model], type[models.Model]] = {}
        self.postgres = connection.vendor == "postgresql"

    def _table(self, model: type[models.Model]) -> _Table:
        table = self.tables.get(model)
        if table is not None:
            return table
        meta = model._meta
        columns = list(meta.concrete_fields)
        defaults: dict[str, Any] = {}
        for f in columns:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = self.now
            elif f.null:
                defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                defaults[f.attname] = ""
        if self.counting:
            highest = 0
        elif meta.db_table in self.start:
            highest = self.start[meta.db_table] - 1
        else:
            highest = highest_id(model)
        converters = [
            (i, convert)
            for i, f in enumerate(columns)
            if (convert := self._converter(f)) is not None
        ]
        pick = operator.itemgetter(*(f.attname for f in columns))
        table = _Table(model, columns, meta.pk.attname, highest + 1, defaults, pick, converters)
        self.tables[model] = table
        return table

    def _converter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """None: psycopg takes the Python value as it is (COPY adapts it)."""
        if self.postgres:
            if isinstance(f, models.JSONField):
                from psycopg.types.json import Jsonb

                return lambda v: None if v is None else Jsonb(v)
            return None
        return lambda v: f.get_db_prep_save(v, connection)

    def reserve(self, model: type[models.Model]) -> int:
        """An id for a row that is added later (once all its fields are known)."""
        table = self._table(model)
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[models.Model], **values: Any) -> int:
        """Buffer one row of ``model``; returns its id."""
        return self._add(model, values)

    def _add(self, model: type[models.Model], values: dict[str, Any]) -> int:
        # The hot path of the whole load (~28 rows per application): C-level dict merge
        # and itemgetter, no per-column Python loop unless a column needs converting.
        table = self.tables.get(model) or self._table(model)
        pk = values.get(table.pk)
        if pk is None:
            pk = values[table.pk] = table.next_id
            table.next_id += 1
        if self.counting:
            table.written += 1
            return int(pk)
        try:
            row = table.pick({**table.defaults, **values})
        except KeyError as missing:
            raise KeyError(f"{model.__name__}.{missing.args[0]} needs a value") from None
        if table.converters:
            converted = list(row)
            for i, convert in table.converters:
                converted[i] = convert(converted[i])
            row = tuple(converted)
        table.rows.append(row)
        if len(table.rows) >= BATCH:
            self.flush(table)
        return int(pk)

    def created(
        self, model: type[models.Model], *, at: datetime, user: tuple[int, str], **values: Any
    ) -> int:
        """Add an object and its ``+`` history row; returns the object's id."""
        pk = self.add(model, **values)
        self.history(model, {**values, "id": pk}, "+", at, user)
        return pk

    def history(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        kind: str,
        at: datetime,
        user: tuple[int, str],
    ) -> None:
        historical = self.historical.get(model)
        if historical is None:
            # Each access to ``model.history`` builds a new manager class: look it up once.
            historical = self.historical[model] = model.history.model  # type: ignore[attr-defined]
        self._add(
            historical,
            {
                **values,
                "history_date": at,
                "history_type": kind,
                "history_change_reason": None,
                "history_user_id": user[0],
                "history_user_name": user[1],
            },
        )

    # Table and column names in the SQL below come from the models' metadata, never from input.
    def flush(self, table: _Table) -> None:
        if not table.rows:
            return
        started = time.perf_counter()
        meta = table.model._meta
        names = ", ".join(f'"{f.column}"' for f in table.columns)
        if self.postgres:
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f'COPY "{meta.db_table}" ({names}) FROM STDIN') as copy:
                    for row in table.rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(table.columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks})',  # noqa: S608
                    table.rows,
                )
        table.written += len(table.rows)
        table.rows = []
        table.seconds += time.perf_counter() - started

    def flush_all(self) -> None:
        for table in self.tables.values():
            self.flush(table)

    def written(self) -> dict[str, int]:
        return {t.model._meta.db_table: t.written for t in self.tables.values()}

    def next_ids(self) -> dict[str, int]:
        return {t.model._meta.db_table: t.next_id for t in self.tables.values()}

    def copy_seconds(self) -> dict[str, float]:
        return {t.model._meta.db_table: t.seconds for t in self.tables.values()}


def highest_id(model: type[models.Model]) -> int:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT COALESCE(MAX("{meta.pk.column}"), 0) FROM "{meta.db_table}"'  # noqa: S608
        )
        return int(cursor.fetchone()[0])


def set_sequences(tables: list[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids the generator handed out (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            meta = model._meta
            pk_column = meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{meta.db_table}\"', "  # noqa: S608
                f"'{pk_column}'), GREATEST(MAX(\"{pk_column}\"), 1)) "
                f'FROM "{meta.db_table}"'
            )
