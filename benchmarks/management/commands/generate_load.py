"""manage.py generate_load --municipalities N --years Y --applications-per-round A [--seed S]

Adds generated municipalities (each with Y years of two rounds a year, A
applications per round in every state, their transition records, model history,
meetings, assessments, payouts and usage reports) until N generated
municipalities exist. Run it again with a larger N to grow the same database.
The bulk writing lives in ``benchmarks/loadgen.py``.
"""

from __future__ import annotations

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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1 or options["applications_per_round"] < 1:
            raise CommandError("--years and --applications-per-round must be at least 1.")
        result = generate(
            municipalities=options["municipalities"],
            years=options["years"],
            per_round=options["applications_per_round"],
            seed=options["seed"],
            progress=self.stdout.write,
        )
        self.stdout.write(
            f"{result['municipalities_added']} municipalities, {result['applications']:,} "
            f"applications, {result['transition_records']:,} transition records, "
            f"{result['rows']:,} rows in {result['seconds']} s "
            f"({result['rows_per_second']:,} rows/s)"
        )
