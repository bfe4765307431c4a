"""manage.py verify_trail [--municipality M] [--round R] [--application A]

Re-computes every transition record's hash and follows the chain of each
application; reports the first broken link of each broken case and exits 1 if
there is one, 0 if the whole trail verifies.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cases.models import Application
from cases.parsing import parse_id
from cases.trail.chain import verify_trail


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
        if any(options[k] for k in ("municipality", "round", "application")) and not (
            applications.exists()
        ):
            raise CommandError("No application matches.")
        checked, records, broken = verify_trail(applications)
        for link in broken:
            self.stderr.write(f"BROKEN: {link}")
        summary = f"{checked} applications, {records} transition records checked"
        if broken:
            raise CommandError(f"{summary}: {len(broken)} broken.", returncode=1)
        self.stdout.write(f"{summary}: the trail verifies.")
