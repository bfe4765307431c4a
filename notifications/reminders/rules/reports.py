"""The usage report: due before its deadline, overdue after it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Application, GrantRound, StatusGroup
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting
from .common import (
    applications_of,
    by_date,
    case_officers,
    representatives,
    to_association,
    unsent_applications,
)


class _ReportRule(Rule):
    """Granted or paid applications without a usage report, by their round's
    ``report_deadline``. A round's stage (and so the due date) is worked out per round
    in Python; the applications are then found in one query."""

    object_kind = "application"

    def stage(self, deadline: date, today: date) -> date | None:
        raise NotImplementedError

    def due(self, now: datetime) -> list[Key]:
        today = timezone.localdate(now)
        before = int_setting("NOTIFICATIONS_REPORT_REMINDER_DAYS", 30)
        rounds = (
            GrantRound.objects.filter(
                report_deadline__isnull=False,
                report_deadline__lte=today + timedelta(days=before),
            )
            .filter(
                Exists(
                    Application.objects.filter(
                        round_id=OuterRef("pk"), status__in=StatusGroup.REPORT_OWED
                    )
                )
            )
            .values_list("pk", "report_deadline")
        )
        stage = {pk: day for pk, deadline in rounds if (day := self.stage(deadline, today))}
        if not stage:
            return []
        qs = Application.objects.filter(
            status__in=StatusGroup.REPORT_OWED, round_id__in=stage
        ).annotate(due_on=by_date("round_id", stage))
        return unsent_applications(self, qs)


class ReportDue(_ReportRule):
    """Due ``NOTIFICATIONS_REPORT_REMINDER_DAYS`` (default 30) before the deadline,
    until the deadline."""

    name = "report_due"

    def stage(self, deadline: date, today: date) -> date | None:
        start = deadline - timedelta(days=int_setting("NOTIFICATIONS_REPORT_REMINDER_DAYS", 30))
        return start if start <= today <= deadline else None

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.report_deadline}
            result += to_association(
                Kind.REPORT_DUE, application, users.get(application.association_id, []), context
            )
        return result


class ReportOverdue(_ReportRule):
    """Overdue: due on the deadline plus 7k days (k = 1, 2, …), one reminder a week
    (the latest week only, if runs were missed). From week
    ``NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS`` (default 1) the case officers are
    told too; 0 never escalates."""

    name = "report_overdue"

    def stage(self, deadline: date, today: date) -> date | None:
        weeks = (today - deadline).days // 7
        return deadline + timedelta(days=7 * weeks) if weeks >= 1 else None

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = applications_of(keys)
        users = representatives(a.association_id for a in applications.values())
        escalate = int_setting("NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS", 1)
        weeks_of = {}
        for key in keys:
            deadline = applications[key.object_id].round.report_deadline
            assert deadline is not None  # the rule selects rounds with a deadline
            weeks_of[key] = (key.due_on - deadline).days // 7
        escalated = {
            applications[k.object_id].municipality_id
            for k, weeks in weeks_of.items()
            if escalate and weeks >= escalate
        }
        officers = case_officers(escalated) if escalated else {}
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.report_deadline, "weeks": weeks_of[key]}
            result += to_association(
                Kind.REPORT_OVERDUE, application, users.get(application.association_id, []), context
            )
            if escalate and weeks_of[key] >= escalate:
                result += [
                    Message(Kind.REPORT_OVERDUE_STAFF, user, user.email, context, application)
                    for user in officers.get(application.municipality_id, [])
                ]
        return result
