"""A hearing (partshøring) whose deadline is near and which the association has not answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Hearing
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import representatives, to_association


class HearingReminder(Rule):
    """An open hearing N days before its deadline (``NOTIFICATIONS_HEARING_REMINDER_DAYS``,
    default 3), once: the key is the hearing and its deadline less N days. A hearing
    started with fewer than N days left is reminded at once (it is due from the start);
    one answered or ended is not."""

    name = "hearing_reminder"
    object_kind = "hearing"

    def due(self, now: datetime) -> list[Key]:
        days = int_setting("NOTIFICATIONS_HEARING_REMINDER_DAYS", 3)
        today = timezone.localtime(now).date()
        qs = Hearing.objects.filter(
            outcome="", deadline__lte=today + timedelta(days=days), deadline__gte=today
        )
        done = self.sent(object_id=OuterRef("pk"))
        rows = qs.filter(~Exists(done)).order_by().values_list("pk", "deadline")
        return [Key(pk, deadline - timedelta(days=days)) for pk, deadline in rows]

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        hearings = (
            Hearing.objects.select_related(
                "application__round", "application__association", "application__municipality"
            )
            .filter(pk__in={k.object_id for k in keys})
            .in_bulk()
        )
        users = representatives(h.application.association_id for h in hearings.values())
        result: list[Message] = []
        for key in keys:
            hearing = hearings[key.object_id]
            application = hearing.application
            context = {"facts": hearing.facts, "deadline": hearing.deadline}
            result += to_association(
                Kind.HEARING_REMINDER,
                application,
                users.get(application.association_id, []),
                context,
            )
        return result
