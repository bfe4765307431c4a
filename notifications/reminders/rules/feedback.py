"""Issue 20, voice: the invitation to the questionnaire, once a decision has been made.

Sent by the reminder sweep rather than by the deciding transition: it is no part of the
decision (not in its record, not in its transaction), no flow needs to know of it (the
council and committee's, the quick pool's, a second scheme's: whichever flow decided, the
case's status says so), and the sweep's unique key sends it once however many beats run.
The first run after the decision sends it (beat runs every few minutes). Only decisions of
the days the questionnaire stays open (``PULJEFLOW_FEEDBACK_OPEN_DAYS``, default 90) are
invited, so that switching the questionnaire on does not invite every association for years
of old cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.models import Application, Feedback
from cases.selectors.feedback import DECIDED
from notifications.feedback import site_url
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import applications_of, representatives, to_association


class FeedbackInvitation(Rule):
    """A decided case whose association has neither answered nor declined the questionnaire
    and has not been invited: once, keyed by the case and the day of its decision."""

    name = "feedback_invitation"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        days = int_setting("PULJEFLOW_FEEDBACK_OPEN_DAYS", 90)
        qs = Application.objects.filter(
            status__in=DECIDED,
            decided_at__gte=now - timedelta(days=days),
            decided_at__lte=now,
        ).filter(
            ~Exists(Feedback.objects.filter(application=OuterRef("pk"))),
            ~Exists(self.sent(object_id=OuterRef("pk"))),
        )
        rows = qs.order_by().values_list("pk", "decided_at")
        return [Key(pk, timezone.localtime(decided_at).date()) for pk, decided_at in rows]

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            path = reverse("feedback:feedback_answer", args=[application.pk])
            result += to_association(
                Kind.FEEDBACK_INVITED,
                application,
                users.get(application.association_id, []),
                {"questionnaire_url": site_url(path)},
            )
        return result
