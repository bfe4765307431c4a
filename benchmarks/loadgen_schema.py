"""Load first, index after: the generator's tables without their indexes and foreign keys.

PostgreSQL takes a ``COPY`` into a table with its indexes several times slower than
into the bare table, and a deferred foreign key queues one check per row until the
commit. For a large load (``benchmarks/loadgen.py``) the secondary indexes, the
unique constraints and the foreign keys of the tables the generator writes are read
from the catalogue (``pg_get_indexdef`` / ``pg_get_constraintdef``, so nothing is
forgotten and nothing is written twice), dropped, and rebuilt from those saved
definitions after the load: one sort per index, one join per foreign key, which
validates every row the load wrote. Primary keys stay (other tables' foreign keys
need them, and an ascending id only appends to its index); check constraints and
the append-only triggers stay (cheap, and the triggers only fire on UPDATE/DELETE).

The definitions are also written to a file before anything is dropped, so a load
that dies half-way is repaired by the next ``generate`` (``restore_leftover``), or
by hand. PostgreSQL only: SQLite loads the small test with everything in place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# One sort per index: more memory than the default 64 MB keeps it out of temporary files.
MAINTENANCE_WORK_MEM = "512MB"


@dataclass
class Deferred:
    """What was dropped, in the order it is rebuilt: indexes, unique constraints, keys."""

    database: str
    indexes: list[list[str]] = field(default_factory=list)  # [table, name, CREATE INDEX …]
    # [table, name, UNIQUE (…), its index's name, CREATE UNIQUE INDEX …]
    uniques: list[list[str]] = field(default_factory=list)
    foreign_keys: list[list[str]] = field(default_factory=list)  # [table, name, FOREIGN KEY …]


def catalogue(cursor: Any, tables: list[str]) -> Deferred:
    """The secondary indexes, unique constraints and foreign keys touching ``tables``.

    Foreign keys are those *of* the tables and those *pointing at* them (a key on a
    unique column needs that column's index); indexes are those of the tables that
    back no primary key or constraint (those come back with their constraint).
    """
    cursor.execute("SELECT current_database()")
    (database,) = cursor.fetchone()
    deferred = Deferred(database=database)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype,
               pg_get_constraintdef(c.oid), c.conindid::regclass::text,
               pg_get_indexdef(c.conindid)
        FROM pg_constraint c
        WHERE c.connamespace = current_schema()::regnamespace
          AND ((c.contype = 'u' AND c.conrelid = ANY(%(t)s::text[]::regclass[]))
               OR (c.contype = 'f' AND (c.conrelid = ANY(%(t)s::text[]::regclass[])
                                        OR c.confrelid = ANY(%(t)s::text[]::regclass[]))))
        ORDER BY 1, 2
        """,
        {"t": tables},
    )
    for table, name, kind, definition, index, index_definition in cursor.fetchall():
        if kind == "u":
            deferred.uniques.append([table, name, definition, index, index_definition])
        else:
            deferred.foreign_keys.append([table, name, definition])
    cursor.execute(
        """
        SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = current_schema()::regnamespace
          AND i.indrelid = ANY(%(t)s::text[]::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
          -- A partial index stays: PostgreSQL would store its rebuilt WHERE in another
          -- (equivalent) spelling, and the schema after a load must read as migrated.
          AND i.indpred IS NULL
        ORDER BY 1, 2
        """,
        {"t": tables},
    )
    deferred.indexes = [list(row) for row in cursor.fetchall()]
    return deferred


def drop(cursor: Any, deferred: Deferred, state: Path) -> None:
    """Save the definitions to ``state``, then drop keys, unique constraints, indexes."""
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(asdict(deferred), indent=1) + "\n")
    for constraint in deferred.foreign_keys + deferred.uniques:
        cursor.execute(f'ALTER TABLE {constraint[0]} DROP CONSTRAINT "{constraint[1]}"')
    for index in deferred.indexes:
        cursor.execute(f'DROP INDEX "{index[1]}"')


def rebuild(
    deferred: Deferred,
    state: Path,
    *,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Recreate what ``drop`` dropped, from the saved definitions; returns seconds per step.

    1. The indexes, the unique constraints' among them, built by ``jobs`` connections
       at once (one per thread, outside any transaction; CREATE INDEX takes a SHARE
       lock, which does not block another index of the same table).
    2. The unique constraints take their index (``USING INDEX``: no second build).
    3. The foreign keys: added ``NOT VALID`` (no scan, a moment's lock on both
       tables), then validated by ``jobs`` connections, all keys of a table on the
       same one: VALIDATE locks only its own table against another VALIDATE, so no
       two connections wait for each other. It checks every row the load wrote.

    Inside a transaction (a test) everything runs on its connection. The state file
    goes once all of it stands.
    """
    from django.db import connection

    seconds: dict[str, float] = {}
    if connection.in_atomic_block:
        jobs = 1

    def run(statements: list[str], own: bool = False) -> None:
        from django.db import connection as this_thread

        try:
            with this_thread.cursor() as cursor:
                cursor.execute("SHOW maintenance_work_mem")
                (before,) = cursor.fetchone()
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                for sql in statements:
                    cursor.execute(sql)
                cursor.execute(f"SET maintenance_work_mem = '{before}'")
        finally:
            if own:
                this_thread.close()

    def parallel(groups: list[list[str]]) -> None:
        """Each group on one connection; the groups spread over ``jobs`` connections."""
        lanes: list[list[str]] = [[] for _ in range(jobs)]
        for group in sorted(groups, key=len, reverse=True):
            min(lanes, key=len).extend(group)
        lanes = [lane for lane in lanes if lane]
        if len(lanes) <= 1:
            run([sql for lane in lanes for sql in lane])
            return
        with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
            for future in [pool.submit(run, lane, True) for lane in lanes]:
                future.result()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        standing = {name for (name,) in cursor.fetchall()}
    validate: dict[str, list[str]] = {}  # by table: one connection per table
    for table, name, _definition in deferred.foreign_keys:
        validate.setdefault(table, []).append(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')

    def indexes() -> None:
        parallel(
            [[d] for _t, _n, d in deferred.indexes]
            + [[u[4]] for u in deferred.uniques if len(u) > 4]  # none if it still stands
        )

    def uniques() -> None:
        run([_unique_using_index(*u[:4]) for u in deferred.uniques])

    def foreign_keys() -> None:
        run([
            f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d} NOT VALID'
            for t, n, d in deferred.foreign_keys
            if n not in standing
        ])  # fmt: skip
        parallel(list(validate.values()))

    steps: list[tuple[str, Callable[[], None], int]] = [
        ("indexes", indexes, len(deferred.indexes)),
        ("unique constraints", uniques, len(deferred.uniques)),
        ("foreign keys", foreign_keys, len(deferred.foreign_keys)),
    ]
    for step, do, count in steps:
        started = time.perf_counter()
        do()
        seconds[step] = round(time.perf_counter() - started, 1)
        if progress:
            progress(f"  rebuilt {count} {step} in {seconds[step]} s")
    state.unlink(missing_ok=True)
    return seconds


def _unique_using_index(table: str, name: str, definition: str, index: str) -> str:
    deferral = ""
    if "DEFERRABLE" in definition and "NOT DEFERRABLE" not in definition:
        deferral = " DEFERRABLE" + (
            " INITIALLY DEFERRED" if "INITIALLY DEFERRED" in definition else ""
        )
    return f'ALTER TABLE {table} ADD CONSTRAINT "{name}" UNIQUE USING INDEX {index}{deferral}'


def still_missing(cursor: Any, deferred: Deferred) -> Deferred:
    """``deferred`` less what stands again (a rebuild that was itself interrupted)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'i' "
        "AND relnamespace = current_schema()::regnamespace"
    )
    indexes = {name for (name,) in cursor.fetchall()}
    cursor.execute(
        "SELECT conname, convalidated FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace"
    )
    constraints = dict(cursor.fetchall())
    return Deferred(
        database=deferred.database,
        indexes=[i for i in deferred.indexes if i[1] not in indexes],
        # A unique constraint's index may stand without it: USING INDEX takes it.
        uniques=[
            u[:4] + ([] if u[3].strip('"') in indexes else u[4:])
            for u in deferred.uniques
            if u[1] not in constraints
        ],
        # A key added NOT VALID but not yet validated is validated again.
        foreign_keys=[f for f in deferred.foreign_keys if not constraints.get(f[1], False)],
    )


def leftover(state: Path) -> Deferred | None:
    """What an interrupted load dropped and did not rebuild, if anything."""
    if not state.exists():
        return None
    return Deferred(**json.loads(state.read_text()))
