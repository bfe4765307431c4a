"""A whole § 18 round, start to finish, as a municipality runs it.

20 applications from four associations; the case officer screens them (one
rejected, one asked for more information first); the council meets with a
member who sits on one applicant's board and must leave those items; the
committee meets, finds the council's recommendations exceed the pool and cuts
the grants to fit; every decision produces its letter; the minutes list the
recusals.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.errors import TransitionNotPermitted
from cases.models import (
    Application,
    Assessment,
    Body,
    Document,
    DocumentKind,
    Role,
)
from cases.services.meetings import agenda_add_all_ready, assessment_record, meeting_create
from cases.trail.models import TransitionRecord
from notifications.models import Kind, Notification
from workflows import engine

from ..conftest import NO_HEARING, _forget
from ..factories import ApplicationFactory, AssociationFactory, UserFactory, give_role, tie

pytestmark = pytest.mark.django_db


def _round_of_twenty(world: SimpleNamespace) -> tuple[list[Application], dict[int, Any]]:
    """Five applications each from A (anna), B (bo) and two more associations."""
    c, d = AssociationFactory(name="Natteravnene"), AssociationFactory(name="Besøgshunde")
    carla, dan = UserFactory(username="carla"), UserFactory(username="dan")
    tie(carla, c)
    tie(dan, d)
    representative = {world.a.pk: world.anna, world.b.pk: world.bo, c.pk: carla, d.pk: dan}
    applications = []
    for n in range(20):
        association = [world.a, world.b, c, d][n % 4]
        application = ApplicationFactory(
            round=world.round, association=association, title=f"Aktivitet {n + 1}"
        )
        application.focus_areas.set([world.focus])
        applications.append(application)
    return applications, representative


def _perform(application: Application, name: str, user: Any, **data: Any) -> Application:
    result = engine.perform(application, name, user=user, **data)
    _forget_all(user)
    return result


def _forget_all(*users: Any) -> None:
    from cases.roles import forget_profile

    for user in users:
        forget_profile(user)


def test_a_whole_round_from_submission_to_letters(
    world: SimpleNamespace, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    svend = UserFactory(username="svend", first_name="Svend")
    give_role(svend, world.roskilde, Role.COUNCIL_MEMBER)
    applications, representative = _round_of_twenty(world)

    # 1. Every association submits; each gets a receipt.
    applications = [_perform(a, "submit", representative[a.association_id]) for a in applications]
    assert {a.status for a in applications} == {"submitted"}

    # 2. Screening: one is not eligible, one needs an answer first, the rest go on.
    rejected, asked, *rest = applications
    _perform(
        rejected, "reject", world.carl, reason="Aktiviteten ligger uden for § 18.", **NO_HEARING
    )
    asked = _perform(asked, "request_info", world.carl, question="Hvor mange frivillige?")
    asked = _perform(asked, "provide_info", representative[asked.association_id], answer="12")
    for application in [asked, *rest]:
        _perform(application, "accept", world.carl, reason="Opfylder kriterierne.")
    ready = Application.objects.filter(round=world.round, status="in_council_review")
    assert ready.count() == 19

    # 3. The council meets: dorte (on Lektiecaféen's board), erik (chair) and svend.
    council = meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2026, 2, 1),
        members_present=[world.dorte, world.erik, svend],
        acting_user=world.carl,
    )
    assert agenda_add_all_ready(meeting=council, acting_user=world.carl) == 19
    on_agenda = list(
        Application.objects.filter(agenda_items__meeting=council).order_by("agenda_items__position")
    )
    a_items = [a for a in on_agenda if a.association_id == world.a.pk]
    assert len(a_items) == 4  # A's first application was the rejected one

    for application in on_agenda:
        for member in (world.dorte, world.erik, svend):
            if member == world.dorte and application.association_id == world.a.pk:
                with pytest.raises(PermissionDenied):
                    assessment_record(
                        meeting=council,
                        application=application,
                        member=member,
                        outcome="grant",
                        amount=None,
                        comment="",
                    )
                continue
            assessment_record(
                meeting=council,
                application=application,
                member=member,
                outcome="grant",
                amount=None,
                comment="Et godt projekt",
            )
    assert Assessment.objects.filter(member=world.dorte, application__in=a_items).count() == 0
    assert Assessment.objects.filter(meeting=council).count() == 19 * 3 - len(a_items)

    # dorte may not record the council's recommendation either (she is no chair, and
    # on A's items she is conflicted).
    with pytest.raises(TransitionNotPermitted):
        engine.perform(a_items[0], "recommend", user=world.dorte, outcome="grant")

    refused_by_council = on_agenda[-2:]
    for application in on_agenda:
        if application in refused_by_council:
            data = {"outcome": "refuse", "reason": "Ligner et eksisterende tilbud."}
        else:
            data = {"outcome": "grant"}
        _perform(application, "recommend", world.erik, meeting=council.pk, **data)
    recommended = Application.objects.filter(round=world.round, status="recommended")
    assert recommended.count() == 19
    total_recommended = sum(a.recommended_amount for a in recommended)
    assert total_recommended == Decimal("25000") * 17 > world.round.pool_amount

    # The recusal is on the trail of each of A's items.
    for application in a_items:
        record = TransitionRecord.objects.get(application=application, transition="recommend")
        assert record.payload["conflicted"] == [world.dorte.pk]
        assert world.dorte.pk not in record.payload["present"]

    # 4. The committee meets and cuts the grants to fit the pool.
    committee = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=datetime.date(2026, 2, 15),
        members_present=[world.frida],
        acting_user=world.carl,
    )
    agenda_add_all_ready(meeting=committee, acting_user=world.carl)
    mail.outbox.clear()
    cut = Decimal("19000")
    with django_capture_on_commit_callbacks(execute=True):
        for application in Application.objects.filter(agenda_items__meeting=committee):
            if application.recommendation_outcome == "refuse":
                data = {"outcome": "refuse", "reason": "Som indstillet af Frivillighedsrådet."}
            else:
                data = {"outcome": "grant", "amount": str(cut), "reason": "Afpasset puljen."}
            _perform(application, "decide", world.frida, meeting=committee.pk, **data, **NO_HEARING)
    _forget(world)

    granted = Application.objects.filter(round=world.round, status="granted")
    assert granted.count() == 17
    assert sum(a.granted_amount for a in granted) == cut * 17 <= world.round.pool_amount
    assert Application.objects.filter(round=world.round, status="refused").count() == 2
    assert not TransitionRecord.objects.filter(
        application__round=world.round, payload__has_key="overrun"
    ).exists()

    # 5. Every decision produced its letter, and the association was told.
    letters = Document.objects.filter(
        application__round=world.round,
        kind__in=[DocumentKind.GRANT, DocumentKind.PARTIAL_GRANT, DocumentKind.REFUSAL],
    )
    assert letters.count() == 19
    assert all(letter.pdf.read(4) == b"%PDF" for letter in letters)  # printed after commit
    assert "19.000,00" in letters.filter(application__in=granted).first().html
    decisions = Notification.objects.filter(kind=Kind.DECISION, application__round=world.round)
    assert decisions.count() == 19 and all(n.is_legal_notice for n in decisions)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipient_email for n in decisions)

    # 6. The council's minutes list dorte's recusal on each of Lektiecaféen's items, and
    # only there; the committee's minutes hold every decision with its reasons.
    from cases.documents.meetings import minutes_context

    minutes = minutes_context(council)
    left = {row.application.pk: [m.pk for m in row.left] for row in minutes["rows"]}
    assert {pk for pk, who in left.items() if world.dorte.pk in who} == {a.pk for a in a_items}
    client.force_login(world.gustav)
    page = client.get(reverse("meetings:meeting_minutes", args=[council.pk])).content.decode()
    assert page.count("Dorte var inhabil og forlod mødet under behandlingen af punktet.") == len(
        a_items
    )
    page = client.get(reverse("meetings:meeting_minutes", args=[committee.pk])).content.decode()
    assert page.count("Afpasset puljen.") == 17

    # 7. Every application's trail is whole and verifies.
    from cases.trail.chain import verify_records

    for application in applications:
        records = list(TransitionRecord.objects.filter(application=application).order_by("seq"))
        assert records and verify_records(records) is None
