"""The demo data holds every stage after the grant, made by the real transitions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Application, Municipality, RepaymentClaim, UsageReport
from cases.services import grants as grant_services
from cases.trail.models import TransitionRecord

pytestmark = pytest.mark.django_db


def test_the_demo_has_paid_grants_a_report_to_review_an_overdue_report_and_a_claim() -> None:
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=StringIO())
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=StringIO())  # idempotent

    municipality = Municipality.objects.get()
    overview = grant_services.usage_report_overview([municipality.pk])
    assert [a.title for a in overview["overdue"]] == ["Sommerfest for seniorer"]
    assert [r.application.title for r in overview["awaiting"]] == ["Strikkecafé"]
    assert [c.application.title for c in overview["claims"]] == ["Seniorudflugter"]
    assert RepaymentClaim.objects.get().amount == 3500
    instalments = Application.objects.get(title="Besøgsvenner for ældre")
    assert instalments.payouts.count() == 2
    assert UsageReport.objects.count() == 2
    assert TransitionRecord.objects.filter(transition="pay").count() == 5
