"""A month before an unsubmitted draft is deleted by retention, its association is told.

Retention (cases/services/retention_schedule.py) deletes a draft never submitted whose
last change is ``PULJEFLOW_DRAFT_RETENTION_MONTHS`` old; this notice is due
``PULJEFLOW_DRAFT_NOTICE_DAYS`` (31: a month) days before that. The key's due date is the notice
day of the draft's *last change*: a draft changed after its notice gets a new notice a
period later, and one left alone gets exactly one. Paper drafts are the municipality's
own (it holds the paper application) and are neither deleted nor noticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import DateField
from django.db.models.functions import Cast
from django.utils import timezone

from cases.models import Application, ApplicationStatus
from cases.services.retention_schedule import draft_notice_days, draft_period
from notifications.models import Kind

from .base import Key, Message, Rule
from .common import applications_of, representatives, unsent_applications


class DraftExpiring(Rule):
    name = "draft_expiring"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        notice_from = now - draft_period() + timedelta(days=draft_notice_days())
        qs = Application.objects.filter(
            status=ApplicationStatus.DRAFT,
            submitted_at__isnull=True,
            registered_by__isnull=True,
            updated_at__lt=notice_from,
        ).annotate(due_on=Cast("updated_at", DateField()))
        return unsent_applications(self, qs)

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        result = []
        for key in keys:
            application = applications[key.object_id]
            changed = application.updated_at
            context = {
                "changed_on": timezone.localdate(changed),
                "deleted_on": timezone.localdate(changed + draft_period()),
            }
            for user in users.get(application.association_id, []):
                result.append(
                    Message(Kind.DRAFT_EXPIRING, user, user.email, context, application, legal=True)
                )
        return result
