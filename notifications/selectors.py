"""Reads: a user's notifications, and who is told about an application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from cases.compiled import Compiled
from cases.models import Role
from notifications.models import Notification

if TYPE_CHECKING:
    from cases.models import Application


def for_user(user: Any) -> QuerySet[Notification]:
    """The user's in-app list, newest first (every channel: the row is the notification)."""
    return Notification.objects.filter(recipient=user).select_related("application")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def applicants_of(application: Application) -> QuerySet[Any]:
    """The active users who represent the applying association."""
    return _representatives(application.association_id)


def _representatives(association: int) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            association_ties__association_id=association,
            association_ties__can_represent=True,
        )
        .select_related("notification_preference")
    )


# Every transition that tells the association reads them: compiled once (cases/compiled.py).
REPRESENTATIVES = Compiled(_representatives, "association")


def applicant_list(application: Application) -> list[Any]:
    """``applicants_of`` as a list, read by its compiled query: what every notice to the
    association is sent to (a transition's, a case message's)."""
    return REPRESENTATIVES.objects(association=application.association_id)


def case_officers_of(application: Application) -> QuerySet[Any]:
    """The active case officers of the application's municipality."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__municipality_id=application.municipality_id,
            staff_roles__role=Role.CASE_OFFICER,
        )
        .select_related("notification_preference")
    )
