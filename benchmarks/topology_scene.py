#!/usr/bin/env python
"""The load test's scene (benchmarks/topology.py runs it after migrate and seed_demo).

Run with the topology's own environment (the same DJANGO_SECRET_KEY as the servers: the
trail's keys derive from it), it adds to the demo data and prints the scene as JSON:

- the demo municipality requires two-factor login again (the demo switches it off), and
  every staff account gets a TOTP device whose key the scene hands to the load generator;
- a round "Belastningsprøve" (the default required attachments: accounts, budget, bylaws)
  with a pool no test run can exhaust, a held council meeting and a held committee meeting;
- ``--associations`` associations, each with its own applicant (no ties to the council);
- ``--officers`` case officers and ``--auditors`` auditors of their own (a TOTP code is
  accepted once per device, so two simulated users never share a staff account); the demo's
  council chair and committee chair for the bulk pages;
- ``--cases`` applications submitted with their attachments, for the officers to start on;
- one real PDF (WeasyPrint, as the letters are made) at ``--pdf`` for the uploads;
- the municipality's public address (``slug``) for the citizens reading its call.
"""

from __future__ import annotations

import argparse
import datetime
import json
import secrets
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "puljeflow-demo"  # noqa: S105 (the demo password, which seed_demo sets)
ROUND_NAME = "Belastningsprøve"


def cvr(n: int) -> str:
    """The n-th valid CVR number from 20000000 up (modulus-11)."""
    from cases.validators import cvr_is_valid

    candidate, found = 20_000_000, -1
    while True:
        if cvr_is_valid(str(candidate)):
            found += 1
            if found == n:
                return str(candidate)
        candidate += 1


def real_pdf() -> bytes:
    from weasyprint import HTML

    html = "<h1>Årsregnskab</h1><p>Indtægter 120.000 kr., udgifter 118.500 kr.</p>" * 3
    return bytes(HTML(string=html).write_pdf())


def user(username: str, **fields: Any) -> Any:
    from django.contrib.auth import get_user_model

    account, _ = get_user_model().objects.get_or_create(username=username)
    account.email = f"{username}@topology.puljeflow.invalid"
    for key, value in fields.items():
        setattr(account, key, value)
    account.set_password(PASSWORD)
    account.save()
    return account


def totp_key(account: Any) -> str:
    """A fresh confirmed TOTP device for the account; its hex key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = secrets.token_hex(20)
    TOTPDevice.objects.filter(user=account).delete()
    TOTPDevice.objects.create(user=account, name="load test", key=key, confirmed=True)
    return key


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases.models import (
        Association,
        AssociationMember,
        Body,
        GrantRound,
        Municipality,
        Role,
        StaffRole,
    )
    from cases.services import applications as services
    from cases.services.meetings import meeting_create
    from cases.trail.history import system_user
    from workflows import engine

    pdf = real_pdf()
    Path(args.pdf).write_bytes(pdf)
    actor = system_user()
    municipality = Municipality.objects.get(name="Roskilde Kommune")
    municipality.require_two_factor = True
    municipality._history_user = actor  # type: ignore[attr-defined]
    municipality.save()
    users = {u.username: u for u in get_user_model().objects.all()}
    now = timezone.now()
    grant_round = GrantRound(
        municipality=municipality,
        name=ROUND_NAME,
        opens_at=now - datetime.timedelta(days=5),
        deadline=now + datetime.timedelta(days=30),
        pool_amount=Decimal("1000000000"),
        report_deadline=timezone.localdate() + datetime.timedelta(days=400),
    )
    grant_round._history_user = actor  # type: ignore[attr-defined]
    grant_round.save()
    focus = grant_round.focus_areas.create(name="Fællesskab")
    day = timezone.localdate() - datetime.timedelta(days=2)  # held: decisions from its day on
    council = meeting_create(
        grant_round=grant_round,
        body=Body.COUNCIL,
        date=day,
        members_present=[users["council_member"], users["council_chair"]],
        acting_user=users["caseofficer"],
    )
    committee = meeting_create(
        grant_round=grant_round,
        body=Body.COMMITTEE,
        date=day,
        members_present=[users["committee_chair"]],
        acting_user=users["caseofficer"],
    )

    def staff(username: str, role: str) -> dict[str, str]:
        account = user(username, first_name=username.replace("_", " ").title())
        if not StaffRole.objects.filter(user=account, municipality=municipality, role=role):
            staff_role = StaffRole(user=account, municipality=municipality, role=role)
            staff_role._history_user = actor  # type: ignore[attr-defined]
            staff_role.save()
        return {"username": username, "key": totp_key(account)}

    officers = [staff(f"officer_{n:02d}", Role.CASE_OFFICER) for n in range(args.officers)]
    auditors = [staff(f"auditor_{n:02d}", Role.AUDITOR) for n in range(args.auditors)]
    chairs = {
        name: {"username": name, "key": totp_key(users[name])}
        for name in ("council_chair", "committee_chair")
    }
    applicants = []
    for n in range(args.associations):
        association = Association(
            cvr=cvr(n),
            name=f"Belastningsforeningen {n}",
            address="Algade 1",
            postal_code="4000",
            city="Roskilde",
            contact_person="Kirsten Kontakt",
            email=f"forening{n}@topology.puljeflow.invalid",
            phone="46 31 30 00",
        )
        association._history_user = actor  # type: ignore[attr-defined]
        association.save()
        account = user(f"applicant_{n:02d}")
        tie = AssociationMember(user=account, association=association, can_represent=True)
        tie._history_user = actor  # type: ignore[attr-defined]
        tie.save()
        applicants.append({"username": account.username, "association": association.pk})
    cases = []
    for n in range(args.cases):
        who = applicants[n % len(applicants)]
        applicant = users.get(who["username"]) or get_user_model().objects.get(
            username=who["username"]
        )
        application = services.application_create(
            grant_round=grant_round,
            association=Association.objects.get(pk=who["association"]),
            acting_user=applicant,
            data={
                "title": f"Fællesskab {n}",
                "purpose": "Færre ensomme",
                "target_group": "Alle",
                "activity_description": "Ugentlige caféer",
                "volunteers": 5,
                "members": 20,
                "participants": 30,
                "amount_requested": Decimal("10000"),
                "other_funding": Decimal("0"),
                "declaration_correct": True,
            },
            focus_areas=[focus],
        )
        services.budget_lines_replace(
            application=application,
            acting_user=applicant,
            lines=[("Materialer", Decimal("10000"))],
        )
        for kind in grant_round.required_attachments:
            services.attachment_add(
                application=application,
                acting_user=applicant,
                kind=kind,
                upload=SimpleUploadedFile(f"{kind}.pdf", pdf),
                content_type="application/pdf",
            )
        cases.append(engine.perform(application, "submit", user=applicant).pk)
    return {
        "round": grant_round.pk,
        "slug": municipality.slug,
        "focus_area": focus.pk,
        "required_attachments": list(grant_round.required_attachments),
        "council_meeting": council.pk,
        "committee_meeting": committee.pk,
        "applicants": applicants,
        "officers": officers,
        "auditors": auditors,
        "chairs": chairs,
        "cases": cases,
        "pdf": str(args.pdf),
        "password": PASSWORD,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--associations", type=int, default=20)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--auditors", type=int, default=5)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--pdf", default=str(ROOT / "var" / "topology" / "attachment.pdf"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction

    with transaction.atomic():
        scene = build(args)
    print(json.dumps(scene))


if __name__ == "__main__":
    main()
