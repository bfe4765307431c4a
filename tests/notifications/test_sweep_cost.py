"""What a reminder sweep costs (issue 19): queries per batch constant in the number of
due reminders, and the weekly overdue-report rule reading only the cases not yet
reminded this week (the marker ``Application.report_overdue_reminded_on``), not
anti-joining every open obligation with the reminders sent."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Application
from cases.trail.history import unaudited_writes_allowed
from notifications.models import Kind, Notification, Reminder
from notifications.reminders.engine import run_reminders
from notifications.reminders.rules.reports import ReportOverdue

from ..conftest import advance, on_postgres
from ..factories import ApplicationFactory

TZ = timezone.get_current_timezone()
WEEK_ONE = datetime(2027, 6, 8, 8, 0, tzinfo=TZ)  # the report deadline was 1 June
WEEK_TWO = datetime(2027, 6, 15, 8, 0, tzinfo=TZ)


def overdue(world: SimpleNamespace, draft: Application, n: int) -> list[Application]:
    """``n`` paid applications whose usage report was due on 1 June 2027."""
    paid = [advance(draft, world, "paid")]
    for _ in range(n - 1):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        paid.append(advance(application, world, "paid"))
    world.round.report_deadline = date(2027, 6, 1)
    world.round.save()
    return paid


def sweep(when: datetime) -> tuple[dict[str, int], list[str]]:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        result = dict(run_reminders())
    return result, [q["sql"] for q in queries.captured_queries]


def rule_sql(when: datetime) -> list[str]:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        ReportOverdue().due(timezone.now())
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("n", [2, 6])
def test_a_sweep_costs_the_same_queries_for_n_or_3n_due_reminders_in_one_batch(
    world: SimpleNamespace, draft: Application, n: int
) -> None:
    paid = overdue(world, draft, n)

    result, cold = sweep(WEEK_ONE)

    assert result["report_overdue"] == n
    assert Notification.objects.filter(kind=Kind.REPORT_OVERDUE).count() == n
    # Looking (14): the deadline rule's rounds, info requests, council attendance,
    # committee attendance, report-due rounds (one each: nothing due there), the overdue
    # rule's rounds and its cases (2), the digest's officers, their municipalities'
    # targets and the municipalities with late applications (3), access requests,
    # drafts nearing deletion, hearings and the questionnaire's invitations (one each;
    # issue 20 added the last, 14 with it). Then one batch (12): savepoint,
    # the keys' INSERT … ON CONFLICT DO NOTHING (RETURNING the keys won on PostgreSQL; read
    # back on SQLite), the markers' UPDATE, the applications, their rounds, their
    # municipalities, their representatives, the case officers (escalation), their
    # preferences, the notifications (PostgreSQL: ids from the sequence, then COPY; SQLite:
    # one INSERT), release. The same for 2 and 6 reminders: nothing is queried or rendered
    # per message.
    assert len(cold) == 14 + 12, cold
    assert sum("UPDATE" in sql and "cases_application" in sql for sql in cold) == 1
    assert {a.pk for a in paid} == set(
        Application.objects.filter(report_overdue_reminded_on=date(2027, 6, 8)).values_list(
            "pk", flat=True
        )
    )


def test_the_overdue_rule_reads_no_reminders_and_no_case_reminded_this_week(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = overdue(world, draft, 3)
    sweep(WEEK_ONE)
    # A case not reminded yet this week (a new grant in the round, say).
    with unaudited_writes_allowed():
        Application.objects.filter(pk=paid[0].pk).update(report_overdue_reminded_on=None)

    with time_machine.travel(WEEK_ONE, tick=False):
        keys = ReportOverdue().due(timezone.now())
    sql = rule_sql(WEEK_ONE)

    # Only the case without this week's marker, with this week's due date.
    assert [(k.object_id, k.due_on) for k in keys] == [(paid[0].pk, date(2027, 6, 8))]
    # No anti-join with the reminders sent: the rule reads the rounds and the cases only.
    assert len(sql) == 2
    assert not [s for s in sql if "notifications_reminder" in s]
    with time_machine.travel(WEEK_TWO, tick=False):
        assert len(ReportOverdue().due(timezone.now())) == 3  # a new week: all due again


@on_postgres
def test_the_overdue_rules_plan_has_no_anti_join(
    world: SimpleNamespace, draft: Application
) -> None:
    overdue(world, draft, 2)
    sweep(WEEK_ONE)
    query = rule_sql(WEEK_ONE)[-1]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Anti" not in plan and "notifications_reminder" not in plan, plan


def test_a_marker_left_behind_sends_nothing_twice_and_is_set_again(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = overdue(world, draft, 2)
    assert sweep(WEEK_ONE)[0]["report_overdue"] == 2
    # A case saved whole from a copy read before the reminder: its marker goes back.
    with unaudited_writes_allowed():
        Application.objects.filter(pk=paid[1].pk).update(report_overdue_reminded_on=None)

    assert sweep(WEEK_ONE)[0]["report_overdue"] == 0  # the reminder's key is taken

    assert Notification.objects.filter(kind=Kind.REPORT_OVERDUE).count() == 2
    assert Reminder.objects.filter(rule="report_overdue").count() == 2
    paid[1].refresh_from_db()
    assert paid[1].report_overdue_reminded_on == date(2027, 6, 8)
    assert sweep(WEEK_ONE)[1] == sweep(WEEK_ONE)[1]  # and the rule reads it no more


def test_the_marker_is_not_part_of_the_cases_history(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = overdue(world, draft, 1)
    versions = paid[0].history.count()

    sweep(WEEK_ONE)

    assert paid[0].history.count() == versions
    assert not hasattr(paid[0].history.first(), "report_overdue_reminded_on")
