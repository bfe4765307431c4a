"""The invitation after the decision: one notification to the association (the reminder sweep's
``feedback_invitation`` rule), a task on its home and a box on its case until it answers or
says no thanks."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.services.feedback import feedback_answer, feedback_decline
from notifications.models import Kind, Notification
from notifications.reminders.engine import run_reminders
from tests.conftest import advance
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def invitations(application: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.FEEDBACK_INVITED, application=application))


def test_the_sweep_after_the_decision_invites_the_association_once(
    world: SimpleNamespace, draft: Any, settings: Any
) -> None:
    settings.PULJEFLOW_SITE_URL = "https://puljeflow.example.dk"
    recommended = advance(draft, world, "recommended")
    run_reminders()
    assert invitations(recommended) == []  # nothing before the decision
    granted = advance(recommended, world, "granted")
    assert invitations(granted) == []  # not part of the decision's transaction
    assert run_reminders()["feedback_invitation"] == 1
    sent = invitations(granted)
    assert [n.recipient for n in sent] == [world.anna]
    assert not sent[0].is_legal_notice  # the association may switch it off
    link = f"https://puljeflow.example.dk/applications/{granted.pk}/feedback/"
    assert link in sent[0].body_text and link in sent[0].body_html
    # Once: another run, and the payout after the grant, invite no one again.
    assert run_reminders()["feedback_invitation"] == 0
    advance(granted, world, "paid")
    run_reminders()
    assert len(invitations(granted)) == 1


def test_no_invitation_once_answered_nor_for_old_decisions(
    world: SimpleNamespace, draft: Any
) -> None:
    granted = advance(draft, world, "granted")
    feedback_answer(application=granted, acting_user=world.anna, ease=4)
    assert run_reminders()["feedback_invitation"] == 0
    fresh = ApplicationFactory(round=world.round, association=world.a)
    fresh.focus_areas.set([world.focus])
    other = advance(fresh, world, "granted")
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        assert run_reminders()["feedback_invitation"] == 0  # decided more than 90 days ago
    assert invitations(other) == []


def test_the_invitation_is_a_task_on_the_associations_home_until_declined(
    world: SimpleNamespace, draft: Any, client: Any
) -> None:
    granted = advance(draft, world, "granted")
    run_reminders()
    assert len(invitations(granted)) == 1
    client.force_login(world.anna)
    home = client.get(reverse("home:home")).content.decode()
    questionnaire = reverse("feedback:feedback_answer", args=[granted.pk])
    assert questionnaire in home
    case = client.get(reverse("applications:application_detail", args=[granted.pk]))
    assert 'id="feedback-invitation"' in case.content.decode()
    # The case officer sees the same case without the invitation.
    client.force_login(world.carl)
    staff_case = client.get(reverse("applications:application_detail", args=[granted.pk]))
    assert 'id="feedback-invitation"' not in staff_case.content.decode()

    feedback_decline(application=granted, acting_user=world.anna)
    client.force_login(world.anna)
    assert questionnaire not in client.get(reverse("home:home")).content.decode()
    case = client.get(reverse("applications:application_detail", args=[granted.pk]))
    assert 'id="feedback-invitation"' not in case.content.decode()
