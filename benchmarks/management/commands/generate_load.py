"""manage.py generate_load --municipalities N --years Y --applications-per-round A [--seed S]

Adds generated municipalities (each with Y years of two rounds a year, A
applications per round in every state, their transition records, model history,
meetings, assessments, payouts and usage reports) until N generated
municipalities exist. Run it again with a larger N to grow the same database.
On PostgreSQL ``--jobs`` worker processes write at once (the same rows as one), and
a large load drops the tables' indexes and foreign keys and rebuilds them after
(``--defer-indexes`` / ``--no-defer-indexes`` to force either way).
The bulk writing lives in ``benchmarks/loadgen.py``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from benchmarks.loadgen import generate


class Command(BaseCommand):
    help = "Generate load: municipalities, rounds and applications in every state, in bulk."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--municipalities", type=int, required=True)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--applications-per-round", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--jobs",
            type=int,
            default=max(1, min(4, os.cpu_count() or 1)),
            help="worker processes on PostgreSQL (default: the CPUs, at most 4)",
        )
        parser.add_argument(
            "--defer-indexes",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="drop and rebuild indexes and foreign keys around the load "
            "(default: when it adds at least 10,000 applications and doubles the data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1 or options["applications_per_round"] < 1:
            raise CommandError("--years and --applications-per-round must be at least 1.")
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        result = generate(
            municipalities=options["municipalities"],
            years=options["years"],
            per_round=options["applications_per_round"],
            seed=options["seed"],
            jobs=options["jobs"],
            defer_indexes=options["defer_indexes"],
            progress=self.stdout.write,
        )
        self.stdout.write(
            f"{result['municipalities_added']} municipalities, {result['applications']:,} "
            f"applications, {result['transition_records']:,} transition records, "
            f"{result['rows']:,} rows in {result['seconds']} s "
            f"({result['rows_per_second']:,} rows/s; {result['jobs']} jobs, "
            f"indexes {'rebuilt after the load' if result['indexes_deferred'] else 'kept'})"
        )
