"""manage.py apply_retention [--years N] [--dry-run]

The retention schedule by hand (beat runs it daily: ``cases.tasks.apply_retention``):
contact data of cases finished N years ago anonymised, their attachments and letters
removed (hashes kept in the trail), drafts never submitted deleted after
PULJEFLOW_DRAFT_RETENTION_MONTHS, inactive accounts anonymised after
PULJEFLOW_ACCOUNT_RETENTION_MONTHS.

On PostgreSQL with the database roles, run it as a login granted puljeflow_retention
(the owner's DATABASE_URL), not as the application's role (README, Production).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.services.retention_schedule import apply_schedule


class Command(BaseCommand):
    help = (
        "Apply retention: anonymise and remove the files of cases finished more than N years "
        "ago, delete old unsubmitted drafts, anonymise long-inactive accounts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--years", type=int, default=settings.PULJEFLOW_RETENTION_YEARS)
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1:
            # 0 or less would put the cutoff at or after today: every finished case at once.
            raise CommandError("--years must be at least 1.")
        report = apply_schedule(years=options["years"], dry_run=options["dry_run"])
        if report.errors:
            raise CommandError("; ".join(report.errors))
        verb = "would anonymise" if options["dry_run"] else "anonymised"
        self.stdout.write(
            f"{verb} {len(report.anonymised_cases)} case(s): "
            f"{', '.join(report.anonymised_cases) or '–'}; "
            f"{report.association_history_rows} association history row(s), "
            f"{report.notifications} notification(s); "
            f"files removed: {report.files_removed} from "
            f"{len(report.cases_with_files_removed)} case(s); "
            f"drafts deleted: {report.drafts_deleted}; "
            f"accounts anonymised: {report.accounts_anonymised}."
        )
