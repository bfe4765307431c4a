"""The invitation after the decision letter: one notification to the association, a task on
its home and a box on its case until it answers or says no thanks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from cases.documents.letters import decision_letter_create
from cases.services.feedback import feedback_decline
from notifications.models import Kind, Notification
from tests.conftest import advance

pytestmark = pytest.mark.django_db


def invitations(application: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.FEEDBACK_INVITED, application=application))


def test_the_decision_letter_invites_the_association_once(
    world: SimpleNamespace, draft: Any, settings: Any
) -> None:
    settings.PULJEFLOW_SITE_URL = "https://puljeflow.example.dk"
    recommended = advance(draft, world, "recommended")
    assert invitations(recommended) == []  # nothing before the decision
    granted = advance(recommended, world, "granted")
    sent = invitations(granted)
    assert [n.recipient for n in sent] == [world.anna]
    assert not sent[0].is_legal_notice  # the association may switch it off
    link = f"https://puljeflow.example.dk/applications/{granted.pk}/feedback/"
    assert link in sent[0].body_text and link in sent[0].body_html
    assert "spørgeskema" in sent[0].body_text.lower() or "spørgsmål" in sent[0].body_text
    # A second deciding letter on the case (a letter written again) invites no one again.
    with transaction.atomic():
        decision_letter_create(application=granted, acting_user=world.frida)
    assert len(invitations(granted)) == 1
    # Nor does anything after the grant.
    advance(granted, world, "paid")
    assert len(invitations(granted)) == 1


def test_the_invitation_is_a_task_on_the_associations_home_until_declined(
    world: SimpleNamespace, draft: Any, client: Any
) -> None:
    granted = advance(draft, world, "granted")
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
