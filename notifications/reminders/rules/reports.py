"""The usage report: due before its deadline, overdue after it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Case, DateField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from cases.models import Application, GrantRound, StatusGroup
from cases.trail.history import unaudited_writes_allowed
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
        stage = self.stages(timezone.localdate(now))
        if not stage:
            return []
        qs = Application.objects.filter(
            status__in=StatusGroup.REPORT_OWED, round_id__in=stage
        ).annotate(due_on=by_date("round_id", stage))
        return unsent_applications(self, qs)

    def stages(self, today: date) -> dict[int, date]:
        """The due date of each round with a report owed and a reminder at this stage."""
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
        return {pk: day for pk, deadline in rounds if (day := self.stage(deadline, today))}


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

    def due(self, now: datetime) -> list[Key]:
        """The cases whose latest overdue reminder (``report_overdue_reminded_on``, set by
        ``mark_sent``) is older than their round's current week, or that have none.

        Not an anti-join with the reminders: an obligation never met stays overdue for
        ever, and re-checking every one of them against every reminder sent made the
        warm run grow with them (6 s at 300,000 applications). The stages of all
        overdue rounds fall within the last seven days, so the condition is one date
        per stage (at most seven), read through the partial index
        ``application_report_overdue`` (round, marker); the due date is looked up per
        round here rather than by a CASE over every round in the query. The reminder's
        unique key still decides what is sent: a marker left behind (a case saved whole
        from an older copy) costs a key that finds its row taken, and is set again."""
        stage = self.stages(timezone.localdate(now))
        if not stage:
            return []
        rounds_by_day: dict[date, list[int]] = defaultdict(list)
        for round_id, day in stage.items():
            rounds_by_day[day].append(round_id)
        not_reminded = Q(pk__in=[])
        for day, round_ids in rounds_by_day.items():
            not_reminded |= Q(round_id__in=round_ids) & (
                Q(report_overdue_reminded_on__isnull=True) | Q(report_overdue_reminded_on__lt=day)
            )
        rows = (
            Application.objects.filter(status__in=StatusGroup.REPORT_OWED)
            .filter(not_reminded)
            .order_by()
            .values_list("pk", "round_id")
        )
        return [Key(pk, stage[round_id]) for pk, round_id in rows]

    def mark_sent(self, keys: list[Key]) -> None:
        """One UPDATE per batch: each case's marker to its key's due date."""
        days: dict[date, list[int]] = defaultdict(list)
        for key in keys:
            days[key.due_on].append(key.object_id)
        # Bookkeeping of the reminders, excluded from the case's history (the Reminder
        # rows are its record): the one plain UPDATE of an application outside a
        # loader, hence allowed here by name.
        with unaudited_writes_allowed():
            Application.objects.filter(pk__in=[k.object_id for k in keys]).update(
                report_overdue_reminded_on=Case(
                    *[When(pk__in=ids, then=Value(day)) for day, ids in days.items()],
                    output_field=DateField(),
                )
            )

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
