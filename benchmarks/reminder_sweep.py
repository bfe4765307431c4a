#!/usr/bin/env python
"""Benchmark: the reminder sweep over 100,000 open applications on PostgreSQL.

    make bench            # or: DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/reminder_sweep.py

It (re)creates a separate database, ``puljeflow_bench`` next to the one DATABASE_URL
names (or PULJEFLOW_BENCH_DATABASE_URL), migrates it, and generates 20 municipalities
with 20,000 associations and 100,000 open applications: drafts before a deadline,
unanswered requests for information, applications waiting for the municipality,
council and committee meetings with agendas, grants whose usage report is due or
overdue, and as many that are not yet due. The rows are bulk-inserted under
``unaudited_writes_allowed()``: generated data, with no model history and transition
records that carry random hashes rather than a valid chain.

Then it runs ``run_reminders`` twice at the same moment: cold (everything due is
sent) and warm (nothing new is due), and prints the wall time and the number of
queries of each, and writes them to benchmarks/results/reminder_sweep.json. Queuing
the deliveries is replaced by a counter: the broker is not what is measured.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "reminder_sweep.json"
BENCH_DB = "puljeflow_bench"


def bench_database_url() -> str:
    explicit = os.environ.get("PULJEFLOW_BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database (make bench does: scripts/postgres-up)."
        )
    return urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    """A fresh database for every run: the cold run must find nothing sent."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = os.environ.get("DATABASE_URL") or urlunsplit(
        urlsplit(url)._replace(path="/postgres")
    )
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(label: str, now: datetime, profile: bool = False, sweep: Any = None) -> dict[str, Any]:
    """One run of ``run_reminders(now)``: wall time, queries (and per batch), the
    notifications written and how the batch renderer rendered them."""
    from django.db import connection

    from notifications.models import Notification, Reminder
    from notifications.reminders import engine, rendering

    queries = 0
    in_database = 0.0
    by_statement: dict[str, list[float]] = {}  # the statement's start -> [count, seconds]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries, in_database
        queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            in_database += took
            seen = by_statement.setdefault(" ".join(sql.split())[:90], [0, 0.0])
            seen[0] += 1
            seen[1] += took

    # Queries per batch: from entering claim() to the end of the batch's writes.
    batches: list[dict[str, Any]] = []
    claim, write = engine.claim, engine.write_notifications

    def counted_claim(rule: Any, keys: list[Any], when: datetime) -> list[Any]:
        batches.append({"rule": rule.name, "keys": len(keys), "start": queries})
        won = claim(rule, keys, when)
        batches[-1].update(won=len(won), end=queries)
        return won

    def counted_write(*args: Any, **kwargs: Any) -> int:
        written = write(*args, **kwargs)
        batches[-1]["end"] = queries
        return written

    renderers: list[Any] = []
    renderer_class = rendering.BatchRenderer

    class CountedRenderer(renderer_class):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            renderers.append(self)

    engine.claim, engine.write_notifications = counted_claim, counted_write  # type: ignore[assignment]
    engine.BatchRenderer = CountedRenderer  # type: ignore[misc]

    notifications_before = Notification.objects.count()
    reminders_before = Reminder.objects.count()
    profiler = cProfile.Profile() if profile else None
    try:
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            per_rule = (sweep or run_reminders_now)(now)
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - started
    finally:
        engine.claim, engine.write_notifications = claim, write
        engine.BatchRenderer = renderer_class  # type: ignore[misc]
    top = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)  # where the time is spent, not passed on
        top = out.getvalue()
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "queries": queries,
        "database_seconds": round(in_database, 2),
        # Where the database time went: the ten statements that took longest in all.
        "slowest_statements": [
            {"statement": sql, "times": n, "seconds": round(took, 3)}
            for sql, (n, took) in sorted(by_statement.items(), key=lambda i: -i[1][1])[:10]
        ],
        "reminders": Reminder.objects.count() - reminders_before,
        "notifications": Notification.objects.count() - notifications_before,
        "per_rule": dict(per_rule),
        # +1 per batch: the savepoint's RELEASE after the writes.
        "batches": [
            {
                "rule": b["rule"],
                "keys": b["keys"],
                "won": b["won"],
                "queries": b["end"] - b["start"] + 1,
            }
            for b in batches
        ],
        "rendering": {
            "skeletons": sum(r.skeletons for r in renderers),
            "filled": sum(r.filled for r in renderers),
            "one_by_one": sum(r.direct for r in renderers),
        },
        **({"profile": top} if profile else {}),
    }


def run_reminders_now(now: datetime) -> Any:
    from notifications.reminders.engine import run_reminders

    return run_reminders(now)


def other_batch_size(now: datetime, size: int = 700) -> dict[str, Any]:
    """The deadline and overdue rules again with batches of ``size`` (10,000 and 5,000
    keys: full batches and a smaller last one), their reminders and markers deleted
    first, all rolled back: the queries per batch at two batch sizes."""
    from django.conf import settings
    from django.db import transaction

    from cases.models import Application
    from cases.trail.history import unaudited_writes_allowed
    from notifications.models import Reminder
    from notifications.reminders.engine import run_rule
    from notifications.reminders.rules import RULES

    rules = [r for r in RULES if r.name in ("deadline_approaching", "report_overdue")]
    default = settings.NOTIFICATIONS_REMINDER_BATCH
    result: dict[str, Any] = {}

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            Reminder.objects.filter(rule__in=[r.name for r in rules]).delete()
            with unaudited_writes_allowed():
                Application.objects.update(report_overdue_reminded_on=None)
            settings.NOTIFICATIONS_REMINDER_BATCH = size
            result = measure(
                f"batches of {size} (rolled back)",
                now,
                sweep=lambda when: {r.name: run_rule(r, when)[0] for r in rules},
            )
            raise Rollback
    except Rollback:
        pass
    finally:
        settings.NOTIFICATIONS_REMINDER_BATCH = default
    return result


def rendering_ratio(now: datetime, per_rule: int = 1000) -> list[dict[str, Any]]:
    """Per rule, the same messages (the first ``per_rule`` reminders the cold run sent)
    built into outbox rows twice in this process: rendered one by one
    (``services.render``, as before issue 19) and by a ``BatchRenderer``. A ratio within
    one run, so the machine's load cancels out."""
    from notifications.reminders.rendering import BatchRenderer
    from notifications.reminders.rules import RULES
    from notifications.reminders.rules.base import Key
    from notifications.services import build_notification, preferences_of, render

    result = []
    for rule in RULES:
        rows = rule.sent().order_by("pk").values_list("object_id", "due_on", "recipient_key")
        keys = sorted(Key(*row) for row in rows[:per_rule])
        if not keys:
            continue
        messages = rule.messages(keys, now)
        preferences = preferences_of(m.user for m in messages if m.user is not None)

        def build(renderer: Any, messages: list[Any] = messages, prefs: Any = preferences) -> float:
            started = time.perf_counter()
            for m in messages:
                build_notification(
                    kind=m.kind,
                    user=m.user,
                    email=m.email,
                    preference=prefs.get(m.user.pk) if m.user is not None else None,
                    application=m.application,
                    context=m.context,
                    legal=m.legal,
                    now=now,
                    renderer=renderer,
                )
            return time.perf_counter() - started

        one_by_one, batch = build(render), build(BatchRenderer().render)
        result.append(
            {
                "rule": rule.name,
                "messages": len(messages),
                "one_by_one_ms": round(1000 * one_by_one / len(messages), 3),
                "batch_ms": round(1000 * batch / len(messages), 3),
                "ratio": round(one_by_one / batch, 1),
            }
        )
    return result


def batch_constancy(batches: list[dict[str, Any]]) -> tuple[str, bool]:
    """Per rule, the queries of its batches of different sizes: equal, or not."""
    by_rule: dict[str, dict[int, set[int]]] = {}
    for b in batches:
        if b["won"]:
            by_rule.setdefault(b["rule"], {}).setdefault(b["keys"], set()).add(b["queries"])
    compared = {rule: sizes for rule, sizes in by_rule.items() if len(sizes) >= 2}
    if not compared:
        return "no rule had batches of two sizes", False
    ok = all(len(set().union(*sizes.values())) == 1 for sizes in compared.values())
    figure = "; ".join(
        f"{rule}: " + ", ".join(f"{n:,} → {sorted(q)}" for n, q in sorted(sizes.items()))
        for rule, sizes in compared.items()
    )
    return figure, ok


def warm_at_300k(database: str) -> dict[str, Any]:
    """national.py's sweeps (cold, warm, outbox; rolled back) on ``database``: a copy of
    puljeflow_bench_national_300k migrated with this code (never the kept one)."""
    import subprocess

    out = subprocess.run(  # noqa: S603  (our own script, our own arguments)
        [
            sys.executable,
            str(ROOT / "benchmarks" / "national.py"),
            "--worker",
            "sweeps",
            "--db",
            database,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="0.1: 10,000 open applications")
    parser.add_argument("--profile", action="store_true", help="cProfile the cold run")
    parser.add_argument(
        "--warm-db",
        help="also run national.py's sweeps on this database (a migrated copy of "
        "puljeflow_bench_national_300k) for the warm goal at 300k",
    )
    args = parser.parse_args()
    load_start = os.getloadavg()
    print(f"load average at the start: {load_start}", flush=True)
    url = bench_database_url()
    print(f"Recreating {urlsplit(url).path.lstrip('/')} and generating data …", flush=True)
    recreate_database(url)
    setup_django(url)

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from benchmarks import reminder_data
    from notifications import tasks

    reminder_data.SCALE[0] = args.scale
    # The digest is due from 7:00; the benchmark must not depend on the hour it runs at.
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    queued: list[int] = []
    tasks.deliver.delay = queued.append  # type: ignore[method-assign]

    now = timezone.now()
    data = reminder_data.generate(now)
    print(
        f"{data['open_applications']:,} open applications in {data['generated_seconds']} s",
        flush=True,
    )
    runs = [
        measure("cold (everything due)", now, profile=args.profile),
        measure("warm (nothing new due)", now),
    ]
    if args.profile:
        print(runs[0]["profile"])
    sizes = other_batch_size(now)
    ratios = rendering_ratio(now)
    print("building the outbox rows, ms per message (one by one → batch):")
    for r in ratios:
        print(
            f"  {r['rule']:<24}{r['messages']:>6,} messages  {r['one_by_one_ms']:>7.3f} → "
            f"{r['batch_ms']:.3f}  ({r['ratio']}×)"
        )

    header = (
        f"{'run':<24}{'reminders':>11}{'notifications':>15}{'wall time (s)':>15}"
        f"{'queries':>9}{'in database (s)':>17}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r['run']:<24}{r['reminders']:>11,}{r['notifications']:>15,}"
            f"{r['seconds']:>15.2f}{r['queries']:>9,}{r['database_seconds']:>17.2f}"
        )
    print()
    print("cold run, reminders per rule:")
    for rule, n in runs[0]["per_rule"].items():
        print(f"  {rule:<24}{n:>8,}")
    rendering = runs[0]["rendering"]
    print(
        f"rendering: {rendering['skeletons']:,} skeletons filled in {rendering['filled']:,} "
        f"times, {rendering['one_by_one']:,} messages rendered one by one"
    )
    print(f"deliveries queued (broker replaced by a counter): {len(queued):,}")

    warm: dict[str, Any] | None = None
    if args.warm_db:
        if args.warm_db.startswith("puljeflow_bench_national"):
            sys.exit("--warm-db: a copy, never the kept national databases")
        print(f"national sweeps on {args.warm_db} …", flush=True)
        warm = warm_at_300k(args.warm_db)
        for sweep in warm["sweeps"]:
            print(
                f"  {sweep['sweep']:<46}{sweep['seconds']:>9.3f} s{sweep['queries']:>7} queries"
                f"{sweep['handled']:>9,} handled"
            )

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    load_end = os.getloadavg()
    size = f"{data['open_applications'] // 1000}k"
    constancy, constant = batch_constancy(runs[0]["batches"] + sizes["batches"])
    warm_run = next(
        (s for s in (warm or {}).get("sweeps", []) if s["sweep"] == "reminder sweep, warm"), None
    )
    goals = [
        {
            "goal": f"reminder sweep, cold, {size} open",
            "measured": f"{runs[0]['seconds']:.2f} s ({runs[0]['notifications']:,} notifications)",
            "limit": "< 5 s",
            "pass": runs[0]["seconds"] < 5 and data["open_applications"] >= 100_000,
        },
        {
            "goal": "reminder sweep, warm, 300k",
            "measured": f"{warm_run['seconds']:.3f} s ({warm_run['queries']} queries)"
            if warm_run
            else "not measured (no --warm-db)",
            "limit": "< 1 s",
            "pass": bool(warm_run and warm_run["seconds"] < 1),
        },
        {
            "goal": "queries per batch constant",
            "measured": constancy,
            "limit": "equal at two batch sizes",
            "pass": constant,
        },
    ]
    result = {
        "benchmark": "reminder sweep (notifications.reminders.engine.run_reminders)",
        "at": now.isoformat(),
        "database": f"PostgreSQL {server}",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "loadavg": [load_start, load_end],
        "goals": goals,
        "data": data,
        "batch_size": settings.NOTIFICATIONS_REMINDER_BATCH,
        "runs": runs,
        "batch_sizes": sizes,
        "rendering_one_by_one_vs_batch": ratios,
        "deliveries_queued": len(queued),
        **({"national_sweeps": {"database": args.warm_db, **warm}} if warm else {}),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    print(f"load average at the end: {load_end}")
    print()
    for goal in goals:
        verdict = "PASS" if goal["pass"] else "FAIL"
        print(f"{verdict}  {goal['goal']}: {goal['measured']} (limit {goal['limit']})")


if __name__ == "__main__":
    main()
