"""The flow's transitions notify the right people, in the same transaction, exactly once."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail

from cases.models import Application
from notifications import tasks
from notifications.models import Kind, Notification
from workflows.engine import perform

from ..conftest import advance

pytestmark = pytest.mark.django_db


def test_submitting_sends_anna_one_receipt_with_the_case_number(
    world: SimpleNamespace,
    draft: Application,
    queued: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted = perform(draft, "submit", user=world.anna)
    row = Notification.objects.get()
    assert (row.kind, row.recipient, row.is_legal_notice) == (
        Kind.APPLICATION_SUBMITTED,
        world.anna,
        False,
    )
    assert queued == [row.pk]
    tasks.deliver(row.pk)
    tasks.deliver(row.pk)  # a second run of the same task sends nothing
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.anna.email]
    assert submitted.case_number in mail.outbox[0].body


def test_a_refused_transition_notifies_nobody(world: SimpleNamespace, draft: Application) -> None:
    from cases.errors import TransitionNotPermitted

    with pytest.raises(TransitionNotPermitted):
        perform(draft, "submit", user=world.bo)
    assert not Notification.objects.exists()


def test_each_transition_tells_the_people_it_concerns(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = advance(draft, world, "submitted")
    asked = perform(submitted, "request_info", user=world.carl, question="Hvor mange frivillige?")
    answered = perform(asked, "provide_info", user=world.anna, answer="Tolv")
    advance(answered, world, "closed")
    rows = list(
        Notification.objects.order_by("pk").values_list(
            "kind", "recipient__username", "is_legal_notice"
        )
    )
    assert rows == [
        (Kind.APPLICATION_SUBMITTED, "anna", False),
        (Kind.INFO_REQUESTED, "anna", True),
        (Kind.INFO_PROVIDED, "carl", False),
        (Kind.APPLICATION_ACCEPTED, "anna", False),
        (Kind.DECISION, "anna", True),
        (Kind.PAYOUT_REGISTERED, "anna", False),
        (Kind.REPORT_APPROVED, "anna", False),
    ]


def test_a_paper_application_is_answered_at_the_associations_address(
    world: SimpleNamespace, draft: Application
) -> None:
    from django.utils import timezone

    draft.registered_by = world.carl
    draft.received_at = timezone.now()
    draft.save()
    paper_only = perform(draft, "submit", user=world.carl)
    addresses = set(
        Notification.objects.filter(application=paper_only).values_list(
            "recipient_email", flat=True
        )
    )
    assert world.a.email in addresses
