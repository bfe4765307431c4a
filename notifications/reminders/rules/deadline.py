"""The round's deadline approaching, for drafts not yet submitted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cases.models import Application, ApplicationStatus, GrantRound
from notifications.models import Kind

from .base import Key, Message, Rule
from .common import applications_of, by_date, representatives, unsent_applications


class DeadlineApproaching(Rule):
    """Drafts in a round whose deadline is N days away (N from
    ``NOTIFICATIONS_DEADLINE_REMINDER_DAYS``, default 7 and 1); due at the deadline
    minus N days, sent only while the deadline is ahead. A run that finds several
    stages passed (beat was down) sends the latest one only. Paper drafts are left
    out: the municipality already holds the paper application."""

    name = "deadline_approaching"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        configured = getattr(settings, "NOTIFICATIONS_DEADLINE_REMINDER_DAYS", [7, 1])
        days = [d for d in sorted({int(d) for d in configured}) if d > 0]
        if not days:
            return []
        rounds = GrantRound.objects.filter(
            deadline__gt=now, deadline__lte=now + timedelta(days=days[-1])
        ).values_list("pk", "deadline")
        stage: dict[int, date] = {}
        for pk, deadline in rounds:
            n = min(d for d in days if deadline - timedelta(days=d) <= now)
            stage[pk] = timezone.localdate(deadline - timedelta(days=n))
        if not stage:
            return []
        qs = Application.objects.filter(
            status=ApplicationStatus.DRAFT, round_id__in=stage, registered_by__isnull=True
        ).annotate(due_on=by_date("round_id", stage))
        return unsent_applications(self, qs)

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        result = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.deadline}
            for user in users.get(application.association_id, []):
                result.append(
                    Message(Kind.DEADLINE_APPROACHING, user, user.email, context, application)
                )
        return result
