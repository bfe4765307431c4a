"""The case officers' daily digest of applications waiting beyond their target."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cases.models import Application, ApplicationStatus, Municipality, Role, StaffRole, StatusGroup
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import latest_record

S = ApplicationStatus
# A digest lists this many applications per municipality and counts the rest.
DIGEST_LIMIT = 50


class WaitingDigest(Rule):
    """A daily digest per case officer of the applications of their municipality that
    have waited in one state (``StatusGroup.WAITING_FOR_MUNICIPALITY``) longer than the municipality's
    ``state_target_days``, counted from the application's latest transition. Keyed
    (municipality, date, officer); due from ``NOTIFICATIONS_DIGEST_HOUR`` (default 7,
    Copenhagen time), so it arrives in the morning."""

    name = "waiting_digest"
    object_kind = "municipality"

    def due(self, now: datetime) -> list[Key]:
        local = timezone.localtime(now)
        if local.hour < int_setting("NOTIFICATIONS_DIGEST_HOUR", 7):
            return []
        today = local.date()
        done = self.sent(
            object_id=OuterRef("municipality_id"), due_on=today, recipient_key=OuterRef("user_id")
        )
        officers = list(
            StaffRole.objects.filter(role=Role.CASE_OFFICER, user__is_active=True)
            .filter(~Exists(done))
            .values_list("municipality_id", "user_id")
            .distinct()
        )
        if not officers:
            return []
        waiting = set(
            self.waiting(now, {m for m, _ in officers})
            .order_by()
            .values_list("municipality_id", flat=True)
            .distinct()
        )
        return [Key(m, today, user_id) for m, user_id in officers if m in waiting]

    def waiting(self, now: datetime, municipality_ids: set[int]) -> QuerySet[Application]:
        targets = set(
            Municipality.objects.filter(pk__in=municipality_ids)
            .order_by()
            .values_list("state_target_days", flat=True)
        )
        late = Q(pk__in=[])
        for days in targets:
            late |= Q(municipality__state_target_days=days, entered__lte=now - timedelta(days=days))
        return (
            Application.objects.filter(
                municipality_id__in=municipality_ids,
                status__in=StatusGroup.WAITING_FOR_MUNICIPALITY,
            )
            .annotate(entered=latest_record())
            .filter(late)
        )

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        municipality_ids = {k.object_id for k in keys}
        municipalities = Municipality.objects.in_bulk(municipality_ids)
        officers = get_user_model().objects.in_bulk({k.recipient_key for k in keys})
        # The first DIGEST_LIMIT of each municipality, oldest first, and how many there are:
        # a municipality may have thousands waiting, and the digest lists fifty.
        waiting = self.waiting(now, municipality_ids)
        totals = dict(
            waiting.order_by()
            .values("municipality_id")
            .annotate(n=Count("pk"))
            .values_list("municipality_id", "n")
        )
        place = Window(
            RowNumber(), partition_by=[F("municipality_id")], order_by=[F("entered"), F("pk")]
        )
        lists: dict[int, list[Application]] = defaultdict(list)
        for application in (
            waiting.annotate(place=place).filter(place__lte=DIGEST_LIMIT).order_by("entered", "pk")
        ):
            lists[application.municipality_id].append(application)
        result = []
        for key in keys:
            user, first = officers.get(key.recipient_key), lists.get(key.object_id, [])
            if user is None or not first:
                continue
            municipality = municipalities[key.object_id]
            total = totals[key.object_id]
            rows = [
                {
                    "application": a,
                    "since": a.entered,  # type: ignore[attr-defined]
                    "days": (now - a.entered).days,  # type: ignore[attr-defined]
                }
                for a in first
            ]
            context = {
                "municipality": municipality,
                "target_days": municipality.state_target_days,
                "rows": rows,
                "total": total,
                "more": max(total - DIGEST_LIMIT, 0),
            }
            result.append(Message(Kind.WAITING_DIGEST, user, user.email, context))
        return result
