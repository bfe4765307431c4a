"""Demo data for `make run`: one municipality, an open round, two associations, a user per role."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from cases.models import (
    Association,
    AssociationMember,
    CriteriaScoring,
    FocusArea,
    GrantRound,
    Municipality,
    Role,
    RoundCondition,
    RoundCriterion,
    StaffRole,
)
from cases.trail.history import system_user

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
    ("manager", "Mette", "Mortensen", "manager (leder): rules on the case officers' ties"),
    ("admin", "Ada", "Admin", "administrator (Django admin)"),
]

# The demo round's texts, in the words of Roskilde Kommune's volunteering policy (vision,
# political aims) and its action plan of 21 December 2015 (shared/seeds).
ROUND_PURPOSE = (
    "Puljen støtter frivilligt socialt arbejde efter servicelovens § 18. Roskilde Kommune vil "
    "bidrage til gode rammer og synlighed omkring en mangfoldig frivillig social indsats, der "
    "fremmer det aktive medborgerskab og styrker borgernes sociale liv, sundhed og trivsel."
)
ROUND_CONDITIONS: list[tuple[str, str]] = [
    (
        "Ansøgeren er en frivillig social forening eller organisation",
        "Arbejdet bæres af frivillige, og foreningen har vedtægter og en bestyrelse.",
    ),
    (
        "Aktiviteten er frivilligt socialt arbejde",
        "Den retter sig mod borgere, der har brug for fællesskab, støtte eller omsorg, og er "
        "ikke en opgave, kommunen eller regionen har pligt til at løse.",
    ),
    (
        "Aktiviteten kommer borgere i Roskilde Kommune til gode",
        "Foreningen behøver ikke have adresse i kommunen, men aktiviteten skal foregå her "
        "eller nå kommunens borgere.",
    ),
    (
        "Tidligere tilskud fra puljen er afrapporteret",
        "Har foreningen fået tilskud før, skal afrapporteringen være modtaget, før en ny "
        "ansøgning kan behandles.",
    ),
]
ROUND_CRITERIA: list[tuple[str, str]] = [
    (
        "Styrker borgernes sociale liv, sundhed og trivsel",
        "Hvor meget aktiviteten gør for deltagernes fællesskab og trivsel – frivilligpolitikkens "
        "vision.",
    ),
    (
        "Sundhedsfremme og forebyggelse",
        "Frivilligpolitikken prioriterer bevillinger til aktiviteter, der fremmer sundhed og "
        "forebygger ensomhed, mistrivsel og sygdom.",
    ),
    (
        "Aktivt medborgerskab og frivilligt engagement",
        "Om aktiviteten giver borgerne mulighed for og lyst til at engagere sig i frivilligt "
        "socialt arbejde og fællesskaber.",
    ),
    (
        "Synlighed og samarbejde",
        "Om borgerne kan finde og deltage i aktiviteten, og om foreningen samarbejder med andre "
        "foreninger eller med kommunen.",
    ),
]

ROLES = {
    "caseofficer": [Role.CASE_OFFICER],
    "council_member": [Role.COUNCIL_MEMBER],
    "council_chair": [Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR],
    "committee_chair": [Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR],
    "auditor": [Role.AUDITOR],
    "manager": [Role.MANAGER],
}


# A one-page, empty PDF: the accounts attached to the demo's usage reports. It must open
# in a PDF reader, as the upload check asks of every PDF.
ONE_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


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
            # No text of its own: the letters carry the default complaint guidance.
            complaint_guidance="",
            # How the letters say to reach the municipality, and where to repay (made up).
            address="Rådhusbuen 1",
            postal_code="4000",
            city="Roskilde",
            phone="46 31 30 00",
            email="frivillighed@roskilde.example",
            website="https://roskilde.example",
            payee_name="Roskilde Kommune",
            bank_registration="0040",
            bank_account="0440116243",
            iban="DK5000400440116243",
            # The sender of its Digital Post (issue 18): Roskilde Kommune's CVR number.
            cvr="29189854",
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
        self._round_texts(grant_round, actor)

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
        after_grant_demo(
            municipality=municipality, actor=actor, password=password, stdout=self.stdout
        )
        directory_demo(municipality=municipality, stdout=self.stdout)

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

    def _round_texts(self, grant_round: GrantRound, actor: Any) -> None:
        """The demo round's purpose, conditions and criteria, from Roskilde Kommune's
        volunteering policy and its action plan (shared/seeds), scored 1–5 by the council."""
        self._save(
            grant_round, actor, purpose=ROUND_PURPOSE, criteria_scoring=CriteriaScoring.SCORE
        )
        for position, (text, help_text) in enumerate(ROUND_CONDITIONS, start=1):
            condition = RoundCondition.objects.filter(round=grant_round, text=text).first()
            self._save(
                condition or RoundCondition(round=grant_round, text=text),
                actor,
                position=position,
                help_text=help_text,
            )
        for position, (title, help_text) in enumerate(ROUND_CRITERIA, start=1):
            criterion = RoundCriterion.objects.filter(round=grant_round, title=title).first()
            self._save(
                criterion or RoundCriterion(round=grant_round, title=title),
                actor,
                position=position,
                help_text=help_text,
            )

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


# --- after the grant: paid grants, a report awaiting review, an overdue one, a claim ----------

EARLIER_ROUND = "§ 18-puljen (demo, sidste år)"
OLDEST_ROUND = "§ 18-puljen (demo, forrige år)"
# The demo grants' target groups (TargetGroupCode), so the round report has something to show.
DEMO_TARGET_GROUPS = {
    "Besøgsvenner for ældre": ["older", "lonely"],
    "Strikkecafé": ["lonely"],
    "Seniorudflugter": ["older"],
    "Sommerfest for seniorer": ["older", "lonely"],
}


def after_grant_demo(*, municipality: Municipality, actor: Any, password: str, stdout: Any) -> None:
    """Grants of earlier rounds in each stage after the decision, made by the real transitions.

    Paper applications typed in by the case officer (the rounds are closed); reports by
    ``applicant_c`` for Seniorklubben (a third association, so the overdue report does not
    block the demo's own applicants). Skipped when it has been made before.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Body, TargetGroup
    from cases.roles import forget_profile
    from cases.services.applications import application_create, budget_lines_replace
    from cases.services.meetings import agenda_add, meeting_create
    from workflows.engine import perform

    if GrantRound.objects.filter(municipality=municipality, name=EARLIER_ROUND).exists():
        return
    User = get_user_model()
    carl = User.objects.get(username="caseofficer")
    erik = User.objects.get(username="council_chair")
    dorte = User.objects.get(username="council_member")
    frida = User.objects.get(username="committee_chair")
    bo = User.objects.get(username="applicant_b")
    cecilie = User.objects.filter(username="applicant_c").first() or User(username="applicant_c")
    cecilie.first_name, cecilie.last_name = "Cecilie", "Clausen"
    cecilie.email = "applicant_c@demo.puljeflow.invalid"
    cecilie.set_password(password)
    cecilie.save()
    seniors = Association.objects.filter(cvr="10000025").first() or Association(cvr="10000025")
    seniors.name, seniors.address, seniors.postal_code, seniors.city = (
        "Seniorklubben Roskilde",
        "Algade 3",
        "4000",
        "Roskilde",
    )
    seniors.contact_person, seniors.email, seniors.phone = (
        "Cecilie Clausen",
        "kontakt+10000025@demo.puljeflow.invalid",
        "46 31 30 00",
    )
    seniors._history_user = actor  # type: ignore[union-attr,attr-defined,unused-ignore]
    seniors.save()
    if not AssociationMember.objects.filter(user=cecilie, association=seniors).exists():
        tie = AssociationMember(user=cecilie, association=seniors, can_represent=True)
        tie._history_user = actor  # type: ignore[union-attr,attr-defined,unused-ignore]
        tie.save()
    besoeg = Association.objects.get(cvr="10000017")
    now = timezone.now()
    today = timezone.localdate()

    def make_round(name: str, years: int, report_deadline: datetime.date) -> GrantRound:
        grant_round = GrantRound(
            municipality=municipality,
            name=name,
            opens_at=now - datetime.timedelta(days=365 * years + 60),
            deadline=now - datetime.timedelta(days=365 * years + 30),
            pool_amount=Decimal("300000.00"),
            report_deadline=report_deadline,
            required_attachments=[],
        )
        grant_round._history_user = actor  # type: ignore[union-attr,attr-defined,unused-ignore]
        grant_round.save()
        focus = FocusArea(round=grant_round, name="Ensomhed og fællesskab")
        focus._history_user = actor  # type: ignore[union-attr,attr-defined,unused-ignore]
        focus.save()
        return grant_round

    last_year = make_round(EARLIER_ROUND, 1, today + datetime.timedelta(days=60))
    oldest = make_round(OLDEST_ROUND, 2, today - datetime.timedelta(days=200))

    def forget() -> None:
        for user in (carl, erik, dorte, frida, bo, cecilie):
            forget_profile(user)

    def granted(grant_round: GrantRound, association: Association, title: str, amount: str) -> Any:
        application = application_create(
            grant_round=grant_round,
            association=association,
            acting_user=carl,
            data={
                "title": title,
                "purpose": "Fællesskab for ensomme ældre og unge.",
                "target_group": "Ensomme borgere i Roskilde",
                "activity_description": "Ugentlige caféer og udflugter.",
                "volunteers": 12,
                "members": 40,
                "participants": 60,
                "amount_requested": Decimal(amount),
                "other_funding": Decimal("0"),
                "declaration_correct": True,
                "target_groups": list(
                    TargetGroup.objects.filter(code__in=DEMO_TARGET_GROUPS.get(title, ["other"]))
                ),
            },
            focus_areas=list(grant_round.focus_areas.all()),
            received_at=grant_round.deadline - datetime.timedelta(days=2),
        )
        budget_lines_replace(
            application=application,
            acting_user=carl,
            lines=[("Materialer", Decimal(amount) / 2), ("Udflugter", Decimal(amount) / 2)],
        )
        application = perform(application, "submit", user=carl)
        application = perform(application, "accept", user=carl, reason="Opfylder kriterierne")
        for body, present, name, who in (
            (Body.COUNCIL, [dorte, erik], "recommend", erik),
            (Body.COMMITTEE, [frida], "decide", frida),
        ):
            meeting = grant_round.meetings.filter(body=body).first() or meeting_create(
                grant_round=grant_round,
                body=body,
                date=grant_round.deadline.date() + datetime.timedelta(days=14),
                members_present=present,
                acting_user=carl,
            )
            agenda_add(meeting=meeting, applications=[application], acting_user=carl)
            application = perform(application, name, user=who, meeting=meeting.pk, outcome="grant")
            forget()
        return application

    def report(application: Any, spent: str) -> Any:
        accounts = SimpleUploadedFile("regnskab.pdf", ONE_PAGE_PDF)
        return perform(
            application,
            "submit_report",
            user=bo if application.association_id == besoeg.pk else cecilie,
            description="Vi holdt 40 caféer med i alt 55 deltagere.",
            participants_reached=55,
            volunteers_involved=12,
            lines=[{"description": "Caféer og udflugter", "spent": spent}],
            attachments=[("accounts", accounts)],
        )

    # Paid in two instalments, the report not due yet.
    paid = granted(last_year, besoeg, "Besøgsvenner for ældre", "30000")
    paid = perform(paid, "pay", user=carl, amount="15000", reference="UDB-DEMO-1")
    perform(paid, "pay", user=carl, reference="UDB-DEMO-2")
    # Paid, reported, awaiting the case officer's review.
    waiting = granted(last_year, besoeg, "Strikkecafé", "25000")
    waiting = perform(waiting, "pay", user=carl, reference="UDB-DEMO-3")
    report(waiting, "25000")
    # Reported with money left over, approved with a repayment claim.
    claimed = granted(last_year, seniors, "Seniorudflugter", "20000")
    claimed = perform(claimed, "pay", user=carl, reference="UDB-DEMO-4")
    claimed = report(claimed, "16500")
    # A repayment claim is adverse: the association is heard first (fvl. § 19).
    claimed = perform(
        claimed,
        "start_hearing",
        user=carl,
        facts="Regnskabet viser 16.500 kr. brugt af de 20.000 kr. udbetalt. Kommunen agter "
        "at kræve de 3.500 kr. tilbagebetalt.",
    )
    claimed = perform(
        claimed, "answer_hearing", user=cecilie, answer="Vi er enige; en udflugt blev aflyst."
    )
    perform(claimed, "approve_report", user=carl, settlement="repayment")
    # Paid two years ago; the report is overdue.
    overdue = granted(oldest, seniors, "Sommerfest for seniorer", "8000")
    perform(overdue, "pay", user=carl, reference="UDB-DEMO-5")
    stdout.write(
        "After the grant: 4 earlier grants (paid, report awaiting review, repayment claim, "
        "overdue report); applicant_c represents Seniorklubben Roskilde."
    )


def directory_demo(*, municipality: Municipality, stdout: Any) -> None:
    """Issue 20: two associations listed in the directory by their representatives
    (Lektiecaféen is not: the demo shows how it lists itself)."""
    from cases.models import DirectoryEntry
    from cases.roles import forget_profile
    from cases.services.directory import directory_entry_publish

    listings = [
        (
            "applicant_b",
            "10000017",
            {
                "description": "Besøgsvenner kommer hjemme hos ældre, der sidder meget alene, "
                "en gang om ugen til kaffe, en gåtur eller en snak.",
                "target_groups": ["older", "lonely"],
                "focus_areas": ["Ensomhed og fællesskab"],
                "whole_municipality": True,
                "seeks_volunteers": True,
                "volunteers_text": "Har du en time om ugen? Vi sætter dig sammen med en ældre "
                "og giver dig et kursus først.",
                "website": "https://besoegsvenner.example",
            },
        ),
        (
            "applicant_c",
            "10000025",
            {
                "description": "Fællesspisning, udflugter og foredrag for seniorer i Roskilde.",
                "target_groups": ["older"],
                "focus_areas": ["Ensomhed og fællesskab"],
                "whole_municipality": False,
                "area": "4000 Roskilde",
                "seeks_volunteers": False,
            },
        ),
    ]
    for username, cvr, data in listings:
        user = get_user_model().objects.filter(username=username).first()
        association = Association.objects.filter(cvr=cvr).first()
        if user is None or association is None:
            continue
        if DirectoryEntry.objects.filter(
            association=association, municipality=municipality
        ).exists():
            continue
        forget_profile(user)
        directory_entry_publish(
            association=association, municipality=municipality, acting_user=user, data=data
        )
    stdout.write("Directory: Besøgsvennerne and Seniorklubben are listed; Lektiecaféen is not.")
