"""Generated load: municipalities with years of rounds, applications in every state.

Used by ``manage.py generate_load`` and the benchmarks. The rows themselves come
from ``benchmarks/loadgen_generator.py`` (one municipality at a time); this module
decides where they go and how fast:

- **Additive.** Each run adds municipalities (numbered after the ones a previous run
  made) until ``municipalities`` exist, so a benchmark can grow the same database
  from 1,000 to 300,000 applications without regenerating. Municipality *k* always
  gets the same data for the same seed (dates relative to the run).
- **Dense ids, the same in parallel.** Ids are handed out by the generator from
  MAX(id) + 1. With ``jobs`` > 1 (PostgreSQL), a first pass *counts* each
  municipality's rows per table (no hashing, no writing), so every worker process
  gets the block of ids serial generation would have given its municipalities: the
  rows are the same, id for id, whatever the number of jobs (a worker that ends
  off its block stops the run). Then the workers write their ranges at once, one
  transaction per municipality.
- **Indexes after.** A large load on PostgreSQL (``defer_indexes``; by default when
  it adds at least ``DEFER_FROM`` applications and at least as many as exist) drops
  the secondary indexes, unique constraints and foreign keys of the tables it writes
  and rebuilds them from their saved definitions afterwards
  (``benchmarks/loadgen_schema.py``), which also checks every key the load wrote.
- Finally the sequences are moved past the ids handed out, and ``ANALYZE``.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, connections, models, transaction

from benchmarks import loadgen_schema
from benchmarks.loadgen_generator import NAME_PREFIX, Generator, system_actor
from benchmarks.loadgen_sink import Sink, highest_id, set_sequences

__all__ = ["NAME_PREFIX", "generate", "generated_municipality_ids"]

DEFER_FROM = 10_000  # applications added: below this, loading with the indexes is quicker
CHUNKS_PER_JOB = 4  # smaller ranges than workers, so a slow worker does not hold the end

_progress: Callable[[str], None] | None = None  # inherited by the forked workers


@dataclass(frozen=True)
class _Params:
    years: int
    per_round: int
    seed: int
    now: datetime
    system: tuple[int, str]

    def generator(self, sink: Sink) -> Generator:
        return Generator(
            years=self.years, per_round=self.per_round, seed=self.seed, sink=sink,
            system=self.system,
        )  # fmt: skip


def _count(params: _Params, k: int) -> dict[str, int]:
    """Rows per table municipality ``k`` gets (nothing is written)."""
    sink = Sink(params.now, counting=True)
    params.generator(sink).municipality(k)
    return sink.written()


def _load(params: _Params, first: int, last: int, start: dict[str, int] | None) -> dict[str, Any]:
    """Write municipalities ``first`` … ``last - 1``, ids from ``start`` (else MAX(id)+1)."""
    from cases.trail.history import unaudited_writes_allowed

    sink = Sink(params.now, start=start)
    generator = params.generator(sink)
    began, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
    with unaudited_writes_allowed():
        for k in range(first, last):
            # One transaction per municipality: where the foreign keys stand, PostgreSQL
            # queues a deferred check per row until the commit; that must not grow.
            with transaction.atomic():
                generator.municipality(k)
                sink.flush_all()
            if _progress and (k + 1) % 10 == 0:
                _progress(f"  municipality {k + 1}: {time.perf_counter() - began:.0f} s")
    return {
        "applications": generator.applications,
        "transition_records": generator.records,
        "written": sink.written(),
        "next_ids": sink.next_ids(),
        "copy_seconds": sink.copy_seconds(),
        "cpu_seconds": time.process_time() - cpu,
        "server_cpu_seconds": _server_cpu() - server,
    }


def _server_cpu() -> float:
    """CPU seconds of this connection's server process so far (0 where it cannot be read).

    Beside the worker's own CPU time this splits the load into Python and PostgreSQL
    whatever else the machine is doing (wall time on a shared machine says little).
    """
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the server runs on another machine
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_worker(call: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    function, args = call
    try:
        return function(*args)
    finally:
        connection.close()


def _close_connections() -> None:
    """Before forking: a child must not share this process's socket or its pool's threads."""
    connections.close_all()
    close_pool = getattr(connection, "close_pool", None)  # PostgreSQL's pool (Django 5.1+)
    if close_pool is not None:
        close_pool()


def _ranges(todo: list[int], pieces: int) -> list[tuple[int, int]]:
    size, extra = divmod(len(todo), pieces)
    ranges, first = [], todo[0]
    for i in range(pieces):
        last = first + size + (1 if i < extra else 0)
        if last > first:
            ranges.append((first, last))
        first = last
    return ranges


def _tables() -> dict[str, type[models.Model]]:
    """The models with a numbered id by table, for the tables this database has."""
    existing = set(connection.introspection.table_names())
    return {
        m._meta.db_table: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed
        and not m._meta.proxy
        and m._meta.db_table in existing
        and isinstance(m._meta.pk, models.fields.AutoFieldMixin)
    }


def _state_file() -> Path:
    from django.conf import settings

    database = re.sub(r"[^\w.-]", "_", str(connection.settings_dict["NAME"]))
    return Path(settings.VAR_DIR) / f"loadgen-deferred-{database}.json"


def _repair(progress: Callable[[str], None] | None) -> None:
    """Rebuild what an interrupted large load dropped (its state file says what)."""
    state = _state_file()
    deferred = loadgen_schema.leftover(state)
    if deferred is None:
        return
    if progress:
        progress(f"  an earlier load was interrupted: rebuilding from {state}")
    with connection.cursor() as cursor:
        deferred = loadgen_schema.still_missing(cursor, deferred)
    loadgen_schema.rebuild(deferred, state, jobs=1, progress=progress)


def generate(
    *,
    municipalities: int,
    years: int,
    per_round: int,
    seed: int = 1,
    now: datetime | None = None,
    jobs: int = 1,
    defer_indexes: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Add municipalities until ``municipalities`` generated ones exist; returns figures."""
    municipality_model = apps.get_model("cases.Municipality")
    existing = municipality_model._default_manager.filter(
        name__startswith=f"{NAME_PREFIX} "
    ).count()
    todo = list(range(existing, municipalities))
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "municipalities_added": len(todo),
        "applications": 0,
        "transition_records": 0,
        "rows": 0,
        "rows_by_table": {},
        "seconds": 0.0,
        "rows_per_second": 0,
        "jobs": 1,
        "indexes_deferred": False,
        "phases": {},
    }
    if postgres:
        _repair(progress)
    if not todo:
        return figures
    params = _Params(
        years, per_round, seed, (now or datetime.now(UTC)).astimezone(UTC), system_actor()
    )
    if not postgres or connection.in_atomic_block:
        jobs = 1  # forked workers need a server and must see what this transaction wrote
    jobs = max(1, min(jobs, len(todo)))
    phases: dict[str, Any] = figures["phases"]

    def phase(name: str, began: float) -> None:
        phases[name] = round(time.perf_counter() - began, 1)
        if progress:
            progress(f"  {name}: {phases[name]} s")

    if jobs == 1:
        done, deferred = _serial(params, todo, defer_indexes, progress, phase)
    else:
        done, deferred = _parallel(params, todo, jobs, defer_indexes, progress, phase)

    # --- finish: sequences, indexes and keys, statistics ----------------------------------
    written: dict[str, int] = {}
    copy_seconds: dict[str, float] = {}
    for result in done:
        for table, n in result["written"].items():
            written[table] = written.get(table, 0) + n
        for table, s in result["copy_seconds"].items():
            copy_seconds[table] = copy_seconds.get(table, 0.0) + s
    began = time.perf_counter()
    by_table = _tables()
    set_sequences([by_table[t] for t in written])
    if deferred is not None:
        phases["rebuild"] = loadgen_schema.rebuild(
            deferred, _state_file(), jobs=2, progress=progress
        )
    phase("finish (sequences, indexes, keys)", began)
    if postgres:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        phase("analyze", began)
    seconds = time.perf_counter() - started
    rows = sum(written.values())
    figures.update(
        applications=sum(r["applications"] for r in done),
        transition_records=sum(r["transition_records"] for r in done),
        rows=rows,
        rows_by_table=written,
        copy_seconds_by_table={t: round(s, 1) for t, s in sorted(copy_seconds.items())},
        python_cpu_seconds=round(sum(r["cpu_seconds"] for r in done), 1),
        postgres_cpu_seconds=round(sum(r["server_cpu_seconds"] for r in done), 1),
        seconds=round(seconds, 1),
        rows_per_second=round(rows / seconds) if seconds else 0,
        jobs=jobs,
        indexes_deferred=deferred is not None,
    )
    return figures


Phase = Callable[[str, float], None]


def _serial(
    params: _Params,
    todo: list[int],
    defer_indexes: bool | None,
    progress: Callable[[str], None] | None,
    phase: Phase,
) -> tuple[list[dict[str, Any]], loadgen_schema.Deferred | None]:
    began = time.perf_counter()
    counts = [_count(params, todo[0])]  # which tables, and how large the load is
    phase("plan (counting rows per municipality)", began)
    began = time.perf_counter()
    deferred = _defer(defer_indexes, counts, todo, progress)
    done = [_load(params, todo[0], todo[-1] + 1, None)]
    phase("load (COPY)", began)
    return done, deferred


def _parallel(
    params: _Params,
    todo: list[int],
    jobs: int,
    defer_indexes: bool | None,
    progress: Callable[[str], None] | None,
    phase: Phase,
) -> tuple[list[dict[str, Any]], loadgen_schema.Deferred | None]:
    """Count, hand out the id blocks, then write the ranges in ``jobs`` forked processes."""
    global _progress
    began = time.perf_counter()
    ranges = _ranges(todo, jobs * CHUNKS_PER_JOB)
    _close_connections()
    _progress = progress
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            # The last range starts after all the others: it needs no count of its own.
            counted = [k for k in todo if k < ranges[-1][0]]
            counts = pool.map(_in_worker, [(_count, (params, k)) for k in counted], chunksize=4)
            starts, expected = _blocks(counts, ranges, todo)
            phase("plan (counting rows per municipality)", began)
            began = time.perf_counter()
            deferred = _defer(defer_indexes, counts, todo, progress)
            _close_connections()
            done = pool.map(
                _in_worker,
                [(_load, (params, a, b, s)) for (a, b), s in zip(ranges, starts, strict=True)],
                chunksize=1,
            )
    finally:
        _progress = None
    for result, end_ids in zip(done, expected, strict=True):
        if end_ids is not None and result["next_ids"] != end_ids:
            raise RuntimeError("a worker's ids ran off its block: the count pass is wrong")
    phase("load (COPY)", began)
    return done, deferred


def _blocks(
    counts: list[dict[str, int]], ranges: list[tuple[int, int]], todo: list[int]
) -> tuple[list[dict[str, int] | None], list[dict[str, int] | None]]:
    """Each range's first id per table, and the next id after it: serial order, dense.

    ``counts`` covers every range but the last, which starts where they end (and whose
    own end nothing needs).
    """
    # Every table, not only the counted ones: one the last range alone writes starts there.
    cursor_ids = {t: highest_id(model) + 1 for t, model in _tables().items()}
    starts: list[dict[str, int] | None] = []
    ends: list[dict[str, int] | None] = []
    for first, last in ranges:
        starts.append(dict(cursor_ids))
        if first >= todo[0] + len(counts):
            ends.append(None)
            continue
        touched = set()
        for k in range(first, last):
            for table, n in counts[k - todo[0]].items():
                cursor_ids[table] += n
                touched.add(table)
        ends.append({t: cursor_ids[t] for t in touched})
    return starts, ends


def _defer(
    defer_indexes: bool | None,
    counts: list[dict[str, int]],
    todo: list[int],
    progress: Callable[[str], None] | None,
) -> loadgen_schema.Deferred | None:
    """Drop the indexes and keys of the tables about to be loaded, if the load is large."""
    if connection.vendor != "postgresql":
        return None
    tables = sorted({t for c in counts for t in c})
    if defer_indexes is None:
        application = apps.get_model("cases.Application")
        adding = counts[0].get(application._meta.db_table, 0) * len(todo)
        defer_indexes = adding >= DEFER_FROM and adding >= highest_id(application)
    if not defer_indexes:
        return None
    with connection.cursor() as cursor:
        deferred = loadgen_schema.catalogue(cursor, tables)
        loadgen_schema.drop(cursor, deferred, _state_file())
    if progress:
        progress(
            f"  dropped {len(deferred.indexes)} indexes, {len(deferred.uniques)} unique "
            f"constraints, {len(deferred.foreign_keys)} foreign keys for the load"
        )
    return deferred


def generated_municipality_ids() -> Iterator[int]:
    """The generated municipalities, in the order they were made."""
    municipality_model = apps.get_model("cases.Municipality")
    yield from (
        municipality_model._default_manager.filter(name__startswith=f"{NAME_PREFIX} ")
        .order_by("name")
        .values_list("pk", flat=True)
    )
