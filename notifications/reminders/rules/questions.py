"""A question to the association (``request_info``) left unanswered."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import Application, ApplicationStatus
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import applications_of, latest_record, representatives, to_association


class InfoUnanswered(Rule):
    """An application still waiting for the association's answer N days after the
    request (``NOTIFICATIONS_INFO_REMINDER_DAYS``, default 7). The request is the
    latest ``request_info`` record; the key's date is the request's date plus N, so
    a later request gets a reminder of its own."""

    name = "info_unanswered"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        days = int_setting("NOTIFICATIONS_INFO_REMINDER_DAYS", 7)
        tz = timezone.get_current_timezone()
        qs = (
            Application.objects.filter(status=ApplicationStatus.INFO_REQUESTED)
            .annotate(requested_at=latest_record("request_info"))
            .filter(requested_at__lte=now - timedelta(days=days))
            .annotate(requested_on=TruncDate("requested_at", tzinfo=tz))
        )
        # Any reminder dated after this request's day belongs to this request (an
        # earlier request's reminder is dated no later than the day it was sent).
        done = self.sent(object_id=OuterRef("pk"), due_on__gt=OuterRef("requested_on"))
        rows = qs.filter(~Exists(done)).order_by().values_list("pk", "requested_at")
        return [Key(pk, timezone.localdate(at) + timedelta(days=days)) for pk, at in rows]

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        days = int_setting("NOTIFICATIONS_INFO_REMINDER_DAYS", 7)
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {
                "question": application.open_question,
                "requested_on": key.due_on - timedelta(days=days),
            }
            result += to_association(
                Kind.INFO_UNANSWERED,
                application,
                users.get(application.association_id, []),
                context,
            )
        return result
