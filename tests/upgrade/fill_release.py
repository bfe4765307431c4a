"""A few full lives, driven by the real transitions of the RELEASED code.

``tests/upgrade/test_upgrade.py`` copies this file into a checkout of the release
(``git archive``) and runs it there, after ``manage.py migrate`` and
``manage.py seed_demo``, with the same environment. It must therefore use only
what the release has: keep it to the APIs that ``seed_demo`` itself uses
(``cases.services``, ``cases.meeting_services``, ``workflows.engine.perform``),
and when the release constant moves on, check this file still runs against it.

Lives (on top of seed_demo's four earlier grants), in a closed round of their own:
a grant paid in two instalments, reported and approved (closed); a refusal after a
partial recommendation; a withdrawal by the association itself; an application
rejected as ineligible; and an online draft in the demo's open round.
Ends by verifying the trail with the release's own ``verify_trail``.
"""

from __future__ import annotations

import datetime
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.getcwd())  # the release's tree, not this file's folder
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.audit import system_user  # noqa: E402
from cases.meeting_services import agenda_add, meeting_create  # noqa: E402
from cases.models import Association, Body, FocusArea, GrantRound  # noqa: E402
from cases.services import application_create, budget_lines_replace  # noqa: E402
from workflows.engine import perform  # noqa: E402
from workflows.rules import forget_profile  # noqa: E402

ROUND_NAME = "Opgraderingsprøven"
DEMO_ROUND = "§ 18-puljen (demo)"

User = get_user_model()
carl = User.objects.get(username="caseofficer")
erik = User.objects.get(username="council_chair")
dorte = User.objects.get(username="council_member")
frida = User.objects.get(username="committee_chair")
anna = User.objects.get(username="applicant_a")
bo = User.objects.get(username="applicant_b")
lektie = Association.objects.get(cvr="10000009")  # anna's; dorte sits on its board
besoeg = Association.objects.get(cvr="10000017")  # bo's
now = timezone.now()
today = timezone.localdate()

grant_round = GrantRound(
    municipality=GrantRound.objects.get(name=DEMO_ROUND).municipality,
    name=ROUND_NAME,
    opens_at=now - datetime.timedelta(days=90),
    deadline=now - datetime.timedelta(days=30),
    pool_amount=Decimal("200000.00"),
    report_deadline=today + datetime.timedelta(days=90),
    required_attachments=[],
)
grant_round._history_user = system_user()
grant_round.save()
focus = FocusArea(round=grant_round, name="Fællesskab")
focus._history_user = system_user()
focus.save()


def forget() -> None:
    for user in (carl, erik, dorte, frida, anna, bo):
        forget_profile(user)


def data(title: str, amount: str) -> dict:
    return {
        "title": title,
        "purpose": "Fællesskab for ensomme.",
        "target_group": "Ensomme borgere i Roskilde",
        "activity_description": "Ugentlige caféer.",
        "volunteers": 8,
        "members": 30,
        "participants": 45,
        "amount_requested": Decimal(amount),
        "other_funding": Decimal("0"),
        "declaration_correct": True,
    }


def submitted(association: Association, title: str, amount: str):
    """A paper application, typed in and submitted by the case officer."""
    application = application_create(
        grant_round=grant_round,
        association=association,
        acting_user=carl,
        data=data(title, amount),
        focus_areas=[focus],
        received_at=grant_round.deadline - datetime.timedelta(days=3),
    )
    budget_lines_replace(
        application=application, acting_user=carl, lines=[("Aktiviteter", Decimal(amount))]
    )
    return perform(application, "submit", user=carl)


def meeting(body: str, present: list):
    found = grant_round.meetings.filter(body=body).first()
    return found or meeting_create(
        grant_round=grant_round,
        body=body,
        date=today - datetime.timedelta(days=20 if body == Body.COUNCIL else 10),
        members_present=present,
        acting_user=carl,
    )


def recommended(application, **recommendation):
    application = perform(application, "accept", user=carl, reason="Opfylder kriterierne")
    council = meeting(Body.COUNCIL, [dorte, erik])
    agenda_add(meeting=council, applications=[application], acting_user=carl)
    application = perform(application, "recommend", user=erik, meeting=council.pk, **recommendation)
    forget()
    committee = meeting(Body.COMMITTEE, [frida])
    agenda_add(meeting=committee, applications=[application], acting_user=carl)
    return application, committee


# 1. The whole life: granted, paid in two instalments, reported in full, approved.
life, committee = recommended(submitted(besoeg, "Lektiehjælp", "20000"), outcome="grant")
life = perform(life, "decide", user=frida, meeting=committee.pk, outcome="grant")
forget()
life = perform(life, "pay", user=carl, amount="12000", reference="UPG-1")
life = perform(life, "pay", user=carl, reference="UPG-2")
life = perform(
    life,
    "submit_report",
    user=bo,
    description="Vi holdt 30 caféer.",
    participants_reached=45,
    volunteers_involved=8,
    lines=[{"description": "Aktiviteter", "spent": "20000"}],
    attachments=[("accounts", SimpleUploadedFile("regnskab.pdf", b"%PDF-1.4\n%%EOF\n"))],
)
life = perform(life, "approve_report", user=carl)
assert life.status == "closed", life.status

# 2. Refused by the committee after a partial recommendation.
refused, committee = recommended(
    submitted(besoeg, "Kor for ældre", "15000"),
    outcome="partial",
    amount="10000",
    reason="Puljen er lille",
)
refused = perform(
    refused, "decide", user=frida, meeting=committee.pk, outcome="refuse", reason="Puljen er brugt"
)
assert refused.status == "refused", refused.status

# 3. Withdrawn by the association itself.
withdrawn = perform(
    submitted(lektie, "Sommerlejr", "9000"),
    "withdraw",
    user=anna,
    reason="Vi har fået midler andetsteds",
)
assert withdrawn.status == "withdrawn", withdrawn.status

# 4. Rejected as ineligible at screening.
rejected = perform(
    submitted(lektie, "Fodboldturnering", "5000"),
    "reject",
    user=carl,
    reason="Ikke frivilligt socialt arbejde",
)
assert rejected.status == "ineligible", rejected.status

# 5. An online draft in the demo's open round, as the applicant left it.
application_create(
    grant_round=GrantRound.objects.get(name=DEMO_ROUND),
    association=lektie,
    acting_user=anna,
    data=data("Lektiecafé om lørdagen", "7000"),
)

call_command("verify_trail")
