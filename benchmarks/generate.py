#!/usr/bin/env python
"""Benchmark: generate 300,000 applications from scratch, then ``manage.py verify_trail``.

    DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/generate.py
    … benchmarks/generate.py --size 30000 --jobs 2 --keep

A fresh database ``puljeflow_bench_generate`` next to the one DATABASE_URL names is
migrated (not timed), then ``benchmarks/loadgen.py`` generates ``--size`` applications
(municipalities of 10 years × 2 rounds × 50, as ``national.py``) with ``--jobs``
worker processes, and ``manage.py verify_trail`` checks every chain. Written to
benchmarks/results/generate.json with the goals of issue 19 (generation under 5
minutes, the trail verifies) and the load average before and after; the database is
dropped unless ``--keep``. Goals are printed PASS/FAIL, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.national import (  # noqa: E402  (after the path)
    JOBS,
    PER_ROUND,
    YEARS,
    database_url,
    ensure_database,
)

RESULTS = ROOT / "benchmarks" / "results" / "generate.json"
NAME = "puljeflow_bench_generate"
LIMIT_SECONDS = 300


def child(name: str, size: int, jobs: int) -> dict[str, Any]:
    """In the child process: migrate, generate (timed), return the figures."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.loadgen import generate

    call_command("migrate", verbosity=0)
    return generate(
        municipalities=size // (YEARS * 2 * PER_ROUND), years=YEARS, per_round=PER_ROUND,
        jobs=jobs, progress=lambda line: print(line, file=sys.stderr, flush=True),
    )  # fmt: skip


def verify(name: str) -> tuple[bool, float, str]:
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", "verify_trail"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    said = (out.stdout.strip().splitlines() or [out.stderr.strip()])[-1]
    return out.returncode == 0, round(seconds, 1), said


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--jobs", type=int, default=JOBS)
    parser.add_argument("--db", default=NAME, help=f"the database to make (default {NAME})")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.db, args.size, args.jobs), default=str))
        return

    name = args.db
    database_url(name)  # exits with a hint if DATABASE_URL is not PostgreSQL
    load_start = os.getloadavg()
    print(f"load average {load_start}; generating {args.size:,} applications …", flush=True)
    ensure_database(name, fresh=True)
    out = subprocess.run(  # noqa: S603  (this script, with our own arguments)
        [sys.executable, __file__, "--child", "--db", name, "--size", str(args.size),
         "--jobs", str(args.jobs)],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    generated = json.loads(out.stdout.strip().splitlines()[-1])
    load_generated = os.getloadavg()
    print(f"verify_trail on {name} …", flush=True)
    verified, verify_seconds, said = verify(name)
    load_end = os.getloadavg()
    if not args.keep:  # ~3 GB at 300k
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    size = f"{args.size // 1000}k"
    goals = [
        {
            "goal": f"generation, {size} applications",
            "measured": f"{generated['seconds']} s",
            "limit": f"< {LIMIT_SECONDS} s",
            "pass": generated["seconds"] < LIMIT_SECONDS,
        },
        {
            "goal": f"verify_trail at {size}",
            "measured": f"{'verifies' if verified else 'FAILS'} ({verify_seconds} s)",
            "limit": "the whole trail verifies",
            "pass": verified,
        },
    ]
    report = {
        "benchmark": "generation (benchmarks/generate.py)",
        "goals": goals,
        "loadavg": [load_start, load_end],
        "loadavg_after_generation": load_generated,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "database": name,
        "size": args.size,
        "jobs": args.jobs,
        "generated": generated,
        "verify_trail": {"ok": verified, "seconds": verify_seconds, "output": said},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    phases = generated["phases"]
    print(f"phases: {json.dumps(phases)}")
    print(
        f"Python {generated['python_cpu_seconds']} s CPU, PostgreSQL (load connections) "
        f"{generated['postgres_cpu_seconds']} s CPU; load average {load_start} → {load_end}"
    )
    for goal in goals:
        verdict = "PASS" if goal["pass"] else "FAIL"
        print(f"{verdict}  {goal['goal']}: {goal['measured']} (limit {goal['limit']})")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
