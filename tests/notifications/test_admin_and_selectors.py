"""The in-app list, marking read, and the admin's retry action."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases.models import Application
from notifications.models import Kind, Notification, Status
from notifications.selectors import for_user, unread_count
from notifications.services import notification_mark_read, notify


def tell(application: Application, *users: Any, kind: str = Kind.APPLICATION_ACCEPTED) -> Any:
    with transaction.atomic():
        return notify(
            kind=kind, application=application, recipients=list(users), context={}, legal=False
        )


def test_each_user_sees_only_their_own_notifications_newest_first(
    world: SimpleNamespace, submitted: Application
) -> None:
    first = tell(submitted, world.anna, world.bo)[0]
    second = tell(submitted, world.anna, kind=Kind.REPORT_APPROVED)[0]

    assert list(for_user(world.anna)) == [second, first]
    assert unread_count(world.anna) == 2
    assert unread_count(world.carl) == 0


def test_marking_read_touches_only_the_users_own_rows(
    world: SimpleNamespace, submitted: Application
) -> None:
    annas, bos = tell(submitted, world.anna, world.bo)
    other = tell(submitted, world.anna, kind=Kind.REPORT_APPROVED)[0]

    assert notification_mark_read(user=world.anna, ids=[annas.pk, bos.pk]) == 1
    assert (unread_count(world.anna), unread_count(world.bo)) == (1, 1)
    assert notification_mark_read(user=world.anna) == 1  # the rest of anna's
    assert Notification.objects.get(pk=other.pk).read_at is not None
    assert unread_count(world.bo) == 1


def test_the_admin_retries_a_given_up_email_but_not_one_being_sent(
    world: SimpleNamespace,
    submitted: Application,
    client: Client,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    given_up, sending = tell(submitted, world.anna, world.bo)
    Notification.objects.filter(pk=given_up.pk).update(status=Status.GIVEN_UP, attempts=8)
    Notification.objects.filter(pk=sending.pk).update(status=Status.SENDING, attempts=1)
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "retry_now", "_selected_action": [given_up.pk, sending.pk]},
        )

    assert response.status_code == 302
    assert queued == [given_up.pk]
    assert set(Notification.objects.values_list("pk", "status", "attempts")) == {
        (given_up.pk, Status.PENDING, 0),
        (sending.pk, Status.SENDING, 1),
    }


def test_the_retry_action_needs_the_change_permission(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    (row,) = tell(submitted, world.anna)
    Notification.objects.filter(pk=row.pk).update(status=Status.GIVEN_UP)
    world.carl.is_staff = True
    world.carl.save()
    world.carl.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(world.carl)
    url = reverse("admin:notifications_notification_changelist")

    client.post(url, {"action": "retry_now", "_selected_action": [row.pk]})
    assert Notification.objects.get(pk=row.pk).status == Status.GIVEN_UP

    world.carl.user_permissions.add(Permission.objects.get(codename="change_notification"))
    response = client.post(url, {"action": "retry_now", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert Notification.objects.get(pk=row.pk).status == Status.PENDING
