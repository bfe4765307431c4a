"""manage.py verify_trail [--municipality M] [--round R] [--application A]

Re-computes every transition record's hash (HMAC with the key its id names, or the
plain SHA-256 of records from before the keys) and follows the chain of each
application; checks that each case agrees with its last record (status, version,
amounts, dates); checks the signed checkpoints in PULJEFLOW_CHECKPOINT_DIR and that
every chain head they name is still in the database with the same hash. Reports
each problem (case, record, what is wrong), keeps the result (``TrailCheck``, shown on
the auditor's home) and exits 1 if there is one, 0 if the whole trail verifies. The
checks themselves are cases/trail/verify.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from cases.models import Application
from cases.parsing import parse_id
from cases.trail.models import TrailCheck
from cases.trail.verify import verify_trail


class Command(BaseCommand):
    help = "Verify the hash chain of the transition records (all, or a municipality/round/case)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--municipality", help="municipality id or exact name")
        parser.add_argument("--round", type=int, help="grant round id")
        parser.add_argument("--application", help="application id or case number")

    def handle(self, *args: Any, **options: Any) -> None:
        applications = Application.objects.all()
        if options["municipality"]:
            value = options["municipality"]
            applications = applications.filter(
                Q(municipality__name=value) | Q(municipality_id=parse_id(value))
            )
        if options["round"]:
            applications = applications.filter(round_id=options["round"])
        if options["application"]:
            value = options["application"]
            applications = applications.filter(Q(case_number=value) | Q(pk=parse_id(value)))
        scoped = any(options[k] for k in ("municipality", "round", "application"))
        if scoped and not applications.exists():
            raise CommandError("No application matches.")
        report = verify_trail(applications, scoped=scoped)
        # Kept for the auditor's home (cases/selectors/home.py): when, what, how it went.
        TrailCheck.objects.create(
            checked_at=timezone.now(),
            scope=" ".join(
                f"{name} {options[name]}"
                for name in ("municipality", "round", "application")
                if options[name]
            )[:100],
            ok=not report.problems,
            applications=report.applications,
            records=report.records,
            problems=len(report.problems),
        )
        for problem in report.problems:
            self.stderr.write(f"BROKEN: {problem}")
        summary = (
            f"{report.applications} applications, {report.records} transition records checked, "
            f"{report.checkpoints} checkpoints"
        )
        if report.problems:
            raise CommandError(f"{summary}: {len(report.problems)} broken.", returncode=1)
        self.stdout.write(f"{summary}: the trail verifies.")
