"""Demo data for `make run`: one municipality, an open round, two associations, a user per role."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from cases.audit import system_user
from cases.models import (
    Association,
    AssociationMember,
    FocusArea,
    GrantRound,
    Municipality,
    Role,
    StaffRole,
)

ROUND_NAME = "§ 18-puljen (demo)"

USERS: list[tuple[str, str, str, str]] = [
    # username, first name, last name, what they are
    ("applicant_a", "Anna", "Andersen", "applicant for Lektiecaféen Roskilde"),
    ("applicant_b", "Bo", "Berg", "applicant for Besøgsvennerne Roskilde"),
    ("caseofficer", "Carl", "Christensen", "case officer"),
    ("council_member", "Dorte", "Dahl", "council member, on Lektiecaféen's board"),
    ("council_chair", "Erik", "Eriksen", "chair of the volunteer council"),
    ("committee_chair", "Frida", "Frandsen", "chair of Kultur- og Fritidsudvalget"),
    ("auditor", "Gustav", "Gram", "auditor (reads everything)"),
    ("admin", "Ada", "Admin", "administrator (Django admin)"),
]

ROLES = {
    "caseofficer": [Role.CASE_OFFICER],
    "council_member": [Role.COUNCIL_MEMBER],
    "council_chair": [Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR],
    "committee_chair": [Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR],
    "auditor": [Role.AUDITOR],
}


class Command(BaseCommand):
    help = "Create (or refresh) the demo municipality, round, associations and users. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", default="puljeflow-demo", help="password for every demo user"
        )

    @transaction.atomic
    def handle(self, *args: Any, password: str, **options: Any) -> None:
        actor = system_user()
        municipality = self._save(
            Municipality.objects.filter(name="Roskilde Kommune").first()
            or Municipality(name="Roskilde Kommune"),
            actor,
            council_name="Frivillighedsrådet",
            committee_name="Kultur- og Fritidsudvalget",
            # The demo's users have no authenticator app; a real municipality keeps the default.
            require_two_factor=False,
            complaint_guidance=(
                "Afgørelsen kan ikke påklages til anden administrativ myndighed, jf. "
                "servicelovens § 18. Du kan henvende dig til kommunen, hvis du mener, at "
                "der er sket fejl i sagsbehandlingen."
            ),
        )
        now = timezone.now()
        today = timezone.localdate()
        # The deadline lies 30 days after the command runs, at noon Copenhagen time.
        deadline = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=30), datetime.time(12, 0))
        )
        grant_round = self._save(
            GrantRound.objects.filter(municipality=municipality, name=ROUND_NAME).first()
            or GrantRound(municipality=municipality, name=ROUND_NAME),
            actor,
            opens_at=now - datetime.timedelta(days=7),
            deadline=deadline,
            pool_amount=Decimal("325000.00"),
            council_meeting_date=today + datetime.timedelta(days=45),
            committee_meeting_date=today + datetime.timedelta(days=60),
            report_deadline=today + datetime.timedelta(days=400),
        )
        for name in ("Ensomhed og fællesskab", "Børn og unge i udsatte positioner"):
            if not FocusArea.objects.filter(round=grant_round, name=name).exists():
                self._save(FocusArea(round=grant_round, name=name), actor)

        association_a = self._association("Lektiecaféen Roskilde", "10000009", actor)
        association_b = self._association("Besøgsvennerne Roskilde", "10000017", actor)

        User = get_user_model()
        lines = []
        for username, first, last, what in USERS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@demo.puljeflow.invalid"
            user.is_active = True
            user.is_staff = user.is_superuser = username == "admin"
            user.set_password(password)
            user.save()
            for role in ROLES.get(username, []):
                if not StaffRole.objects.filter(
                    user=user, municipality=municipality, role=role
                ).exists():
                    self._save(StaffRole(user=user, municipality=municipality, role=role), actor)
            lines.append(f"  {username:<16} {what}")

        self._tie("applicant_a", association_a, actor, represents=True, board=True)
        self._tie("applicant_b", association_b, actor, represents=True, board=False)
        self._tie("council_member", association_a, actor, represents=False, board=True)

        self.stdout.write(f"Demo data ready: {municipality}, round “{grant_round.name}”,")
        self.stdout.write(
            f"deadline {timezone.localtime(deadline):%Y-%m-%d %H:%M} (Europe/Copenhagen)."
        )
        self.stdout.write("Users (all with the same password):")
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"Password: {password}")

    def _save(self, obj: Any, actor: Any, **fields: Any) -> Any:
        changed = obj._state.adding
        for key, value in fields.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
                changed = True
        if changed:
            obj._history_user = actor
            obj.save()
        return obj

    def _association(self, name: str, cvr: str, actor: Any) -> Association:
        return self._save(
            Association.objects.filter(cvr=cvr).first() or Association(cvr=cvr),
            actor,
            name=name,
            address="Algade 1",
            postal_code="4000",
            city="Roskilde",
            contact_person="Kirsten Kontakt",
            email=f"kontakt+{cvr}@demo.puljeflow.invalid",
            phone="46 31 30 00",
        )

    def _tie(
        self, username: str, association: Association, actor: Any, *, represents: bool, board: bool
    ) -> None:
        user = get_user_model().objects.get(username=username)
        tie = AssociationMember.objects.filter(user=user, association=association).first()
        self._save(
            tie or AssociationMember(user=user, association=association),
            actor,
            can_represent=represents,
            is_board_member=board,
        )
