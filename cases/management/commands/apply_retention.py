"""manage.py apply_retention [--years N] [--dry-run]

On PostgreSQL with the database roles, run it as a login granted puljeflow_retention
(the owner's DATABASE_URL), not as the application's role (README, Production).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.services.retention import apply_retention
from cases.trail.append_only import RetentionNotAllowed


class Command(BaseCommand):
    help = "Anonymise contact persons' personal data on cases finished more than N years ago."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--years", type=int, default=settings.PULJEFLOW_RETENTION_YEARS)
        parser.add_argument("--dry-run", action="store_true", help="list the cases, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1:
            # 0 or less would put the cutoff at or after today: every finished case at once.
            raise CommandError("--years must be at least 1.")
        try:
            report = apply_retention(years=options["years"], dry_run=options["dry_run"])
        except RetentionNotAllowed as error:
            raise CommandError(str(error)) from None
        verb = "would anonymise" if options["dry_run"] else "anonymised"
        self.stdout.write(
            f"{verb} {len(report.cases)} case(s): {', '.join(report.cases) or '–'}; "
            f"{report.history_rows} association history row(s), "
            f"{report.associations} association(s), {report.notifications} notification(s)."
        )
