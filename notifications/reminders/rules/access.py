"""A request for access to documents whose deadline is near, or has come."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from cases.models import AccessRequest, AccessStatus
from cases.working_days import add_working_days
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import case_officers


class AccessRequestDue(Rule):
    """To each case officer of the municipality, for every undecided request: once
    ``NOTIFICATIONS_ACCESS_WARNING_DAYS`` working days (default 2) before its deadline, and
    once on the deadline day (or the first run after it). The deadline is the extended
    date once there is one, so an extension gets reminders of its own. Keyed (request,
    the reminder's date, officer)."""

    name = "access_deadline"
    object_kind = "access_request"

    def _dates(self, request: AccessRequest) -> tuple[date, date]:
        days = int_setting("NOTIFICATIONS_ACCESS_WARNING_DAYS", 2)
        due = request.due_on
        closed = request.municipality.closed_days(due.year - 1, due.year)
        return add_working_days(due, -days, closed), due

    def due(self, now: datetime) -> list[Key]:
        today = timezone.localdate(now)
        access_requests = list(
            AccessRequest.objects.filter(status__in=AccessStatus.open()).select_related(
                "municipality"
            )
        )
        if not access_requests:
            return []
        officers = case_officers({r.municipality_id for r in access_requests})
        sent = set(
            self.sent(object_id__in=[r.pk for r in access_requests]).values_list(
                "object_id", "due_on", "recipient_key"
            )
        )
        keys = []
        for request in access_requests:
            warn_on, deadline = self._dates(request)
            # The warning only until the deadline day; from then the deadline's own reminder.
            wanted = [deadline] if today >= deadline else [warn_on] if today >= warn_on else []
            for day in wanted:
                for user in officers.get(request.municipality_id, []):
                    if (request.pk, day, user.pk) not in sent:
                        keys.append(Key(request.pk, day, user.pk))
        return keys

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        access_requests = AccessRequest.objects.select_related("municipality").in_bulk(
            {k.object_id for k in keys}
        )
        officers = {
            user.pk: user
            for users in case_officers(
                {r.municipality_id for r in access_requests.values()}
            ).values()
            for user in users
        }
        result = []
        for key in keys:
            request, user = access_requests.get(key.object_id), officers.get(key.recipient_key)
            if request is None or user is None:
                continue
            context = {
                "municipality": request.municipality,
                "access_request": request,
                "deadline": request.due_on,
                "today": key.due_on == request.due_on,
            }
            result.append(Message(Kind.ACCESS_DEADLINE, user, user.email, context))
        return result
