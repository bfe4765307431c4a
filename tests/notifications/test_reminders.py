"""Reminders: each rule sends when due and not before, once however often it runs, and
again for its next due date; muted kinds are skipped; runs racing over the same due
reminders send each one once (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from cases.models import Application, ApplicationStatus, Body, Meeting, Role
from cases.services.meetings import agenda_add, assessment_record
from notifications import reminder_tasks
from notifications.models import Kind, Notification, Reminder
from notifications.reminders import engine as reminder_engine
from notifications.reminders.engine import run_reminders
from notifications.reminders.rules import NOT_ABOUT_ONE_APPLICATION
from notifications.reminders.rules.deadline import DeadlineApproaching
from notifications.reminders.rules.questions import InfoUnanswered
from workflows import engine

from ..conftest import _forget, advance, on_postgres
from ..factories import ApplicationFactory, UserFactory, give_role, tie
from .conftest import prefer

TZ = timezone.get_current_timezone()


def at(*args: int) -> datetime:
    """A Copenhagen wall-clock time."""
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def run(when: datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        return dict(run_reminders())


def sent(kind: str) -> list[tuple[str, str]]:
    """(recipient username or address, case number or "") of every row of ``kind``."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient", "application")
    return sorted(
        (
            r.recipient.username if r.recipient else r.recipient_email,
            r.application.case_number if r.application else "",
        )
        for r in rows.order_by("pk")
    )


def body(kind: str, username: str) -> str:
    return Notification.objects.get(kind=kind, recipient__username=username).body_text


# --- a round's deadline -----------------------------------------------------------------------


@pytest.fixture
def deadline(world: SimpleNamespace, draft: Application) -> datetime:
    """anna's draft in a round whose deadline is 1 March 2027 12:00."""
    world.round.deadline = at(2027, 3, 1, 12, 0)
    world.round.save()
    return world.round.deadline


def test_a_draft_is_reminded_seven_days_and_one_day_before_the_deadline_once_each(
    world: SimpleNamespace, draft: Application, deadline: datetime
) -> None:
    case = draft.case_number
    assert run(deadline - timedelta(days=7, minutes=1))["deadline_approaching"] == 0
    assert sent(Kind.DEADLINE_APPROACHING) == []

    assert run(deadline - timedelta(days=7))["deadline_approaching"] == 1
    assert run(deadline - timedelta(days=6))["deadline_approaching"] == 0
    assert sent(Kind.DEADLINE_APPROACHING) == [("anna", case)]
    text = body(Kind.DEADLINE_APPROACHING, "anna")
    assert "1. marts 2027 kl. 12.00" in text and "er stadig en kladde" in text

    assert run(deadline - timedelta(days=1))["deadline_approaching"] == 1
    assert run(deadline - timedelta(hours=1))["deadline_approaching"] == 0
    assert sent(Kind.DEADLINE_APPROACHING) == [("anna", case), ("anna", case)]
    assert sorted(Reminder.objects.values_list("due_on", flat=True)) == [
        date(2027, 2, 22),
        date(2027, 2, 28),
    ]


def test_no_deadline_reminder_after_the_deadline_nor_for_submitted_or_paper_applications(
    world: SimpleNamespace, draft: Application, deadline: datetime
) -> None:
    assert run(deadline + timedelta(minutes=1))["deadline_approaching"] == 0
    submitted = ApplicationFactory(round=world.round, association=world.a)
    submitted.focus_areas.set([world.focus])
    with time_machine.travel(deadline - timedelta(days=3), tick=False):
        advance(submitted, world, "submitted")
    paper = ApplicationFactory(round=world.round, association=world.b, registered_by=world.carl)

    run(deadline - timedelta(days=1))

    assert sent(Kind.DEADLINE_APPROACHING) == [("anna", draft.case_number)]
    assert paper.case_number not in str(sent(Kind.DEADLINE_APPROACHING))


def test_a_run_after_missed_ticks_sends_only_the_latest_stage(
    world: SimpleNamespace, draft: Application, deadline: datetime
) -> None:
    # Beat was down from eight days before the deadline until twelve hours before it.
    assert run(deadline - timedelta(hours=12))["deadline_approaching"] == 1
    assert list(Reminder.objects.values_list("due_on", flat=True)) == [date(2027, 2, 28)]
    assert run(deadline - timedelta(hours=11))["deadline_approaching"] == 0


def test_every_representative_is_told_and_a_muted_one_is_not(
    world: SimpleNamespace, draft: Application, deadline: datetime
) -> None:
    treasurer = UserFactory(username="kasserer")
    tie(treasurer, world.a)
    prefer(world.anna, muted=[Kind.DEADLINE_APPROACHING])
    prefer(treasurer, language="en")

    run(deadline - timedelta(days=7))

    assert sent(Kind.DEADLINE_APPROACHING) == [("kasserer", draft.case_number)]
    row = Notification.objects.get(kind=Kind.DEADLINE_APPROACHING)
    assert row.language == "en" and row.subject.startswith("Reminder: submit application")
    assert not row.is_legal_notice
    # The key is taken, so unmuting later does not resend the same reminder.
    prefer(world.anna)
    run(deadline - timedelta(days=6))
    assert len(sent(Kind.DEADLINE_APPROACHING)) == 1


def test_muting_a_legal_notice_changes_nothing(world: SimpleNamespace, draft: Application) -> None:
    prefer(world.anna, muted=[Kind.INFO_REQUESTED, Kind.INFO_UNANSWERED])
    application = advance(draft, world, "submitted")

    engine.perform(application, "request_info", user=world.carl, question="Hvor mange?")

    assert sent(Kind.INFO_REQUESTED) == [("anna", application.case_number)]


# --- an unanswered request for information ----------------------------------------------------


def ask(application: Application, world: SimpleNamespace, when: datetime) -> Application:
    with time_machine.travel(when, tick=False):
        return engine.perform(
            application, "request_info", user=world.carl, question="Hvor mange frivillige har I?"
        )


def test_an_unanswered_request_is_reminded_after_seven_days_and_a_new_request_again(
    world: SimpleNamespace, draft: Application
) -> None:
    application = advance(draft, world, "submitted")
    asked = timezone.now() + timedelta(hours=1)
    application = ask(application, world, asked)

    assert run(asked + timedelta(days=7, minutes=-1))["info_unanswered"] == 0
    assert run(asked + timedelta(days=7))["info_unanswered"] == 1
    assert run(asked + timedelta(days=8))["info_unanswered"] == 0
    assert sent(Kind.INFO_UNANSWERED) == [("anna", application.case_number)]
    assert "Hvor mange frivillige har I?" in body(Kind.INFO_UNANSWERED, "anna")

    with time_machine.travel(asked + timedelta(days=9), tick=False):
        application = engine.perform(application, "provide_info", user=world.anna, answer="12")
    assert run(asked + timedelta(days=12))["info_unanswered"] == 0  # answered
    application = ask(application, world, asked + timedelta(days=14))

    assert run(asked + timedelta(days=20))["info_unanswered"] == 0
    assert run(asked + timedelta(days=21))["info_unanswered"] == 1
    assert len(sent(Kind.INFO_UNANSWERED)) == 2


def test_a_paper_application_is_reminded_at_the_associations_address(
    world: SimpleNamespace,
) -> None:
    paper = ApplicationFactory(
        round=world.round,
        association=world.b,
        registered_by=world.carl,
        received_at=timezone.now(),
    )
    paper.focus_areas.set([world.focus])
    paper = engine.perform(paper, "submit", user=world.carl)
    asked = timezone.now() + timedelta(hours=1)
    ask(paper, world, asked)

    run(asked + timedelta(days=7))

    assert sent(Kind.INFO_UNANSWERED) == [
        ("bo", paper.case_number),
        (world.b.email, paper.case_number),
    ]


# --- council assessments and the committee's agenda ---------------------------------------------


@pytest.fixture
def council(world: SimpleNamespace, draft: Application) -> Meeting:
    """A's and B's applications on the council meeting of 1 February 2026 (dorte and erik
    present); dorte sits on A's board, so she is conflicted on A's."""
    a = advance(draft, world, "in_council_review")
    b = ApplicationFactory(round=world.round, association=world.b)
    b.focus_areas.set([world.focus])
    b = engine.perform(b, "submit", user=world.bo)
    b = engine.perform(b, "accept", user=world.carl)
    meeting = Meeting.objects.get(round=world.round, body=Body.COUNCIL)
    agenda_add(meeting=meeting, applications=[b], acting_user=world.carl)
    world.a_app, world.b_app = a, b
    return meeting


def test_members_missing_assessments_are_reminded_three_days_before_the_meeting(
    world: SimpleNamespace, council: Meeting
) -> None:
    assert run(at(2026, 1, 28, 23, 0))["assessments_missing"] == 0
    assert run(at(2026, 1, 29, 0, 5))["assessments_missing"] == 2
    assert run(at(2026, 1, 30, 9, 0))["assessments_missing"] == 0

    assert sent(Kind.ASSESSMENTS_MISSING) == [("dorte", ""), ("erik", "")]
    dortes = body(Kind.ASSESSMENTS_MISSING, "dorte")
    # dorte is conflicted on A's application: she is asked about B's only.
    assert world.b_app.case_number in dortes and world.a_app.case_number not in dortes
    eriks = Notification.objects.get(recipient=world.erik, kind=Kind.ASSESSMENTS_MISSING)
    assert world.a_app.case_number in eriks.body_text and world.b_app.case_number in eriks.body_text
    assert eriks.subject == (
        "Frivillighedsrådet holder møde den 1. februar 2026: "
        "dine vurderinger af 2 ansøgninger mangler"
    )
    assert (
        Reminder.objects.filter(
            rule="assessments_missing", object_id=council.pk, due_on=council.date
        ).count()
        == 2
    )


def test_a_member_who_has_assessed_everything_is_not_reminded_nor_after_the_meeting(
    world: SimpleNamespace, council: Meeting
) -> None:
    for application in (world.a_app, world.b_app):
        assessment_record(
            meeting=council,
            application=application,
            member=world.erik,
            outcome="grant",
            amount=None,
            comment="",
        )

    run(at(2026, 1, 30, 9, 0))
    assert sent(Kind.ASSESSMENTS_MISSING) == [("dorte", "")]

    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    assert run(at(2026, 2, 2, 9, 0))["assessments_missing"] == 0


def test_a_moved_meeting_reminds_again(world: SimpleNamespace, council: Meeting) -> None:
    run(at(2027, 1, 30, 9, 0))
    council.date = date(2027, 2, 8)
    council.save()

    assert run(at(2027, 2, 4, 23, 0))["assessments_missing"] == 0
    assert run(at(2027, 2, 5, 9, 0))["assessments_missing"] == 2


def test_the_committee_is_told_once_that_its_agenda_is_ready(
    world: SimpleNamespace, draft: Application
) -> None:
    application = advance(draft, world, "recommended")  # on the committee meeting of 15 Feb
    committee = Meeting.objects.get(round=world.round, body=Body.COMMITTEE)
    assert committee.date == date(2026, 2, 15)

    assert run(at(2026, 2, 7, 12, 0))["agenda_ready"] == 0  # more than 7 days ahead
    assert run(at(2026, 2, 8, 8, 0))["agenda_ready"] == 1
    assert run(at(2026, 2, 9, 8, 0))["agenda_ready"] == 0
    assert sent(Kind.AGENDA_READY) == [("frida", "")]
    row = Notification.objects.get(kind=Kind.AGENDA_READY)
    assert (
        row.subject
        == "Dagsordenen til mødet i Kultur- og Fritidsudvalget den 15. februar 2026 er klar"
    )
    assert "klar med 1 ansøgning." in row.body_text
    assert application.case_number not in row.subject


def test_a_committee_meeting_without_items_or_in_the_past_tells_no_one(
    world: SimpleNamespace, draft: Application
) -> None:
    from cases.services.meetings import meeting_create

    meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=date(2027, 2, 15),
        members_present=[world.frida],
        acting_user=world.carl,
    )
    assert run(at(2027, 2, 10, 8, 0))["agenda_ready"] == 0  # nothing on the agenda yet
    advance(draft, world, "recommended")  # now on that meeting's agenda

    assert run(at(2027, 2, 16, 8, 0))["agenda_ready"] == 0  # the meeting is over
    assert run(at(2027, 2, 10, 8, 0))["agenda_ready"] == 1  # before it, it would be due


# --- the usage report -----------------------------------------------------------------------


@pytest.fixture
def paid(world: SimpleNamespace, draft: Application) -> Application:
    """anna's application, paid, in a round whose usage report is due 1 June 2027."""
    application = advance(draft, world, "paid")
    world.round.report_deadline = date(2027, 6, 1)
    world.round.save()
    return application


def test_the_report_is_reminded_30_days_before_then_weekly_overdue_escalating_to_the_case_officer(
    world: SimpleNamespace, paid: Application
) -> None:
    case = paid.case_number
    assert run(at(2027, 5, 1, 23, 0))["report_due"] == 0
    assert run(at(2027, 5, 2, 8, 0))["report_due"] == 1  # 30 days before 1 June
    assert run(at(2027, 5, 20, 8, 0))["report_due"] == 0
    assert sent(Kind.REPORT_DUE) == [("anna", case)]

    assert run(at(2027, 6, 7, 23, 0))["report_overdue"] == 0  # overdue, but not a week yet
    assert run(at(2027, 6, 8, 8, 0))["report_overdue"] == 1
    assert run(at(2027, 6, 14, 8, 0))["report_overdue"] == 0
    assert sent(Kind.REPORT_OVERDUE) == [("anna", case)]
    assert sent(Kind.REPORT_OVERDUE_STAFF) == [("carl", case)]
    staff = Notification.objects.get(kind=Kind.REPORT_OVERDUE_STAFF)
    assert staff.subject == f"Ansøgning {case}: afrapporteringen er 1 uge forsinket"

    assert run(at(2027, 6, 15, 8, 0))["report_overdue"] == 1  # the next week
    assert sent(Kind.REPORT_OVERDUE) == [("anna", case)] * 2
    assert sent(Kind.REPORT_OVERDUE_STAFF) == [("carl", case)] * 2
    assert sorted(
        Reminder.objects.filter(rule="report_overdue").values_list("due_on", flat=True)
    ) == [date(2027, 6, 8), date(2027, 6, 15)]


def test_escalation_waits_the_configured_weeks_and_missed_weeks_send_one_reminder(
    world: SimpleNamespace, paid: Application, settings: Any
) -> None:
    settings.NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS = 3

    assert run(at(2027, 6, 16, 8, 0))["report_overdue"] == 1  # week 2: beat missed week 1
    assert sent(Kind.REPORT_OVERDUE_STAFF) == []
    assert run(at(2027, 6, 22, 8, 0))["report_overdue"] == 1  # week 3
    assert sent(Kind.REPORT_OVERDUE_STAFF) == [("carl", paid.case_number)]
    assert len(sent(Kind.REPORT_OVERDUE)) == 2


def test_a_submitted_report_stops_the_reminders(world: SimpleNamespace, paid: Application) -> None:
    advance(paid, world, "report_submitted")

    result = run(at(2027, 6, 8, 8, 0))

    assert (result["report_due"], result["report_overdue"]) == (0, 0)


# --- the case officers' daily digest -----------------------------------------------------------


def test_the_digest_lists_each_municipalitys_waiting_applications_to_each_of_its_case_officers(
    world: SimpleNamespace, draft: Application
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        waiting = advance(draft, world, "submitted")
        other = ApplicationFactory(round=world.other_round, association=world.b)
        other = engine.perform(other, "submit", user=world.bo)
        recent = ApplicationFactory(round=world.round, association=world.b)
        recent.focus_areas.set([world.focus])
    with time_machine.travel(start + timedelta(days=10), tick=False):
        recent = engine.perform(recent, "submit", user=world.bo)  # 4 days later than target
    second_officer = UserFactory(username="sofie")
    give_role(second_officer, world.roskilde, Role.CASE_OFFICER)
    day = timezone.localdate(start) + timedelta(days=15)

    assert run(at(day.year, day.month, day.day, 6, 59))["waiting_digest"] == 0  # before 7:00
    assert run(at(day.year, day.month, day.day, 7, 0))["waiting_digest"] == 3
    assert run(at(day.year, day.month, day.day, 15, 0))["waiting_digest"] == 0

    assert sent(Kind.WAITING_DIGEST) == [("carl", ""), ("helle", ""), ("sofie", "")]
    carls = body(Kind.WAITING_DIGEST, "carl")
    with override("da"):
        submitted_label = str(ApplicationStatus.SUBMITTED.label)
    assert f"{waiting.case_number} »Lektiecafé for børn«: {submitted_label} siden" in carls
    assert recent.case_number not in carls and other.case_number not in carls
    sofies = body(Kind.WAITING_DIGEST, "sofie")
    assert waiting.case_number in sofies and recent.case_number not in sofies
    helles = body(Kind.WAITING_DIGEST, "helle")
    assert other.case_number in helles and waiting.case_number not in helles
    assert "Næstved Kommune" in helles

    following = day + timedelta(days=1)
    assert run(at(following.year, following.month, following.day, 7, 30))["waiting_digest"] == 3


def test_the_digest_lists_the_oldest_up_to_its_limit_and_counts_the_rest(
    world: SimpleNamespace, draft: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications.reminders.rules import digest

    monkeypatch.setattr(digest, "DIGEST_LIMIT", 2)
    start = timezone.now()
    submitted = []
    for n, application in enumerate(
        [draft, *(ApplicationFactory(round=world.round, association=world.a) for _ in range(2))]
    ):
        application.focus_areas.set([world.focus])
        with time_machine.travel(start + timedelta(days=n), tick=False):
            submitted.append(advance(application, world, "submitted"))
    day = timezone.localdate(start) + timedelta(days=20)

    assert run(at(day.year, day.month, day.day, 9, 0))["waiting_digest"] == 1  # to carl
    carls = body(Kind.WAITING_DIGEST, "carl")
    oldest, second, newest = (a.case_number for a in submitted)
    assert oldest in carls and second in carls and newest not in carls
    assert carls.index(oldest) < carls.index(second)
    assert "… og 1 mere." in carls  # the one not listed, counted


def test_the_digest_follows_the_municipalitys_target_and_skips_a_municipality_with_nothing_late(
    world: SimpleNamespace, draft: Application
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        advance(draft, world, "submitted")
    world.roskilde.state_target_days = 30
    world.roskilde.save()
    day = timezone.localdate(start) + timedelta(days=20)

    assert run(at(day.year, day.month, day.day, 9, 0))["waiting_digest"] == 0


# --- running the rules ----------------------------------------------------------------------


def drafts(world: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        ApplicationFactory(round=world.round, association=world.a, complete=False)


@pytest.mark.parametrize("n", [2, 12])
def test_a_run_costs_the_same_number_of_queries_for_few_or_many_due_reminders(
    world: SimpleNamespace, deadline: datetime, n: int, draft: Application
) -> None:
    drafts(world, n - 1)
    with time_machine.travel(deadline - timedelta(days=7), tick=False):
        with CaptureQueriesContext(connection) as cold:
            assert run_reminders()["deadline_approaching"] == n
        with CaptureQueriesContext(connection) as warm:
            assert sum(run_reminders().values()) == 0

    # Cold: the deadline rule finds its rounds and its due drafts (2), then claims and
    # writes one batch: savepoint, the keys' INSERT … ON CONFLICT DO NOTHING (RETURNING the
    # keys won on PostgreSQL; on SQLite they are read back), the applications, their rounds,
    # their municipalities, their representatives, their preferences, the notifications
    # (on PostgreSQL the ids from the sequence, then COPY; on SQLite one INSERT), release
    # (10). The other rules find nothing: one query
    # each for info requests, council attendance, committee attendance, report-due rounds,
    # overdue rounds (5), and for the digest the officers without today's digest, their
    # municipalities' targets, the municipalities with late applications (3), the undecided
    # requests for access to documents (1), the drafts nearing deletion by retention (1) and
    # the hearings whose deadline is near (1), the decided cases not yet invited to the
    # questionnaire (1; issue 20).
    assert len(cold) == 2 + 10 + 5 + 3 + 1 + 1 + 1 + 1
    # Warm: the same looking, no batch.
    assert len(warm) == 2 + 5 + 3 + 1 + 1 + 1 + 1
    assert not [q for q in warm.captured_queries if "INSERT" in q["sql"]]
    assert Notification.objects.filter(kind=Kind.DEADLINE_APPROACHING).count() == n


def test_batches_commit_separately_and_a_second_run_continues(
    world: SimpleNamespace, deadline: datetime, draft: Application, settings: Any
) -> None:
    settings.NOTIFICATIONS_REMINDER_BATCH = 2
    drafts(world, 4)
    with time_machine.travel(deadline - timedelta(days=7), tick=False):
        partial = run_reminders(budget=0)
        assert not partial.finished and partial.get("deadline_approaching", 0) == 0
        assert run_reminders()["deadline_approaching"] == 5
    assert Reminder.objects.count() == 5


def test_the_task_is_registered_scheduled_and_carries_on_when_its_budget_runs_out(
    world: SimpleNamespace,
    deadline: datetime,
    draft: Application,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from config.celery import app
    from notifications import tasks

    assert app.tasks["notifications.tasks.remind"].run is tasks.remind.run
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-remind"]
    assert entry["task"] == "notifications.tasks.remind"
    assert entry["options"]["expires"] < entry["schedule"]
    again: list[bool] = []
    monkeypatch.setattr(tasks.remind, "delay", lambda: again.append(True))
    monkeypatch.setattr(reminder_tasks, "BUDGET", 0)

    with time_machine.travel(deadline - timedelta(days=7), tick=False):
        tasks.remind()
        assert again == [True] and not Reminder.objects.exists()
        monkeypatch.setattr(reminder_tasks, "BUDGET", 60)
        assert tasks.remind()["deadline_approaching"] == 1
    assert again == [True]


def test_a_rule_that_fails_does_not_stop_the_others(
    world: SimpleNamespace, deadline: datetime, draft: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, now: datetime) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(InfoUnanswered, "due", broken)
    with pytest.raises(RuntimeError, match="boom"):
        run(deadline - timedelta(days=7))
    assert sent(Kind.DEADLINE_APPROACHING) == [("anna", draft.case_number)]


# --- racing runs (PostgreSQL) ---------------------------------------------------------------


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_over_the_same_due_reminders_send_each_once(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.round.deadline = timezone.now() + timedelta(days=5)
    world.round.save()
    treasurer = UserFactory(username="kasserer")
    tie(treasurer, world.a)
    for _ in range(6):
        ApplicationFactory(round=world.round, association=world.a, complete=False)
    _forget(world)

    # Both runs find the same six due drafts before either inserts a key.
    barrier = threading.Barrier(2, timeout=20)
    original = DeadlineApproaching.due

    monkeypatch.setattr(reminder_engine, "RULES", [DeadlineApproaching()])
    found: list[int] = []
    results: list[int] = []
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            results.append(run_reminders()["deadline_approaching"])
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    def due_then_wait(self: Any, now: datetime) -> list[Any]:
        keys = original(self, now)
        found.append(len(keys))
        barrier.wait()
        return keys

    monkeypatch.setattr(DeadlineApproaching, "due", due_then_wait)
    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert found == [6, 6]  # both runs saw all six due before either inserted a key
    assert sorted(results) == [0, 6]  # one run won every key, the other none
    assert Reminder.objects.count() == 6
    rows = list(Notification.objects.values_list("recipient__username", "application_id"))
    assert len(rows) == 12 and len(set(rows)) == 12  # anna and the treasurer, once per draft


# --- the messages not about one application -------------------------------------------------


@pytest.mark.parametrize("kind", sorted(NOT_ABOUT_ONE_APPLICATION))
def test_meeting_and_digest_messages_are_translated_and_signed_by_the_municipality(
    world: SimpleNamespace, draft: Application, kind: str
) -> None:
    from notifications.services import render

    meeting = SimpleNamespace(date=date(2027, 2, 1))
    context = {
        "municipality": world.roskilde,
        "body_name": "Frivillighedsrådet",
        "meeting": meeting,
        "missing": [draft],
        "items": 3,
        "target_days": 14,
        "rows": [{"application": draft, "since": at(2027, 1, 2, 10, 0), "days": 30}],
        "total": 51,
        "more": 50,
        "application": None,
        "recipient_name": "Carl",
        # feedback_summary (issue 20): the year's summary to an association.
        "summary": SimpleNamespace(year=2026, text="Tak for svarene."),
        "answered": 7,
        "average_ease": "3,7",
        "summary_url": "",
    }
    da = render(kind, "da", context)
    en = render(kind, "en", context)

    for subject, text, html in (da, en):
        assert "{" not in text + html and "\n" not in subject
        assert f"<title>{subject}</title>" in html
    assert da[0] != en[0] and da[1] != en[1]
    assert da[1].startswith("Kære Carl\n") and en[1].startswith("Dear Carl,\n")
    assert "Sendt fra Puljeflow på vegne af Roskilde Kommune." in da[1]
    # Staff can switch a reminder off; the year's summary goes to the association's own
    # address, where there is no setting to point to.
    settings_line = "Meddelelser → Indstillinger for meddelelser" in da[1]
    assert settings_line == (kind != Kind.FEEDBACK_SUMMARY)
