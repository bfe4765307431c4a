"""Retention as a schedule: beat runs it daily (claimed per day); drafts never submitted go
after the period with a notice a month before; a finished case's files go after the case's
retention with their hashes kept in the trail; inactive accounts are anonymised."""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases.models import (
    Application,
    Attachment,
    Document,
    Hearing,
    HearingAttachment,
    ReceivedDocument,
    RetentionRun,
    Role,
)
from cases.services.retention_schedule import apply_schedule
from cases.trail.models import TransitionRecord
from cases.trail.timeline import trail_events
from notifications.models import Kind, Notification
from notifications.reminders.engine import run_reminders
from tests.conftest import NO_HEARING
from workflows import engine

from ..factories import PDF_BYTES, ApplicationFactory, GrantRoundFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MONTH = datetime.timedelta(days=30.44)
LONG_AGO = datetime.datetime(2019, 3, 1, 12, tzinfo=datetime.UTC)


def _draft_changed(world: SimpleNamespace, months: int, association: Any) -> Application:
    with time_machine.travel(NOW - months * MONTH, tick=False):
        return ApplicationFactory(round=world.round, association=association)


def _stored(application: Application) -> list[Path]:
    return [Path(a.file.path) for a in Attachment.objects.filter(application=application)]


def test_beat_runs_retention_daily_and_the_day_is_claimed_once(world: SimpleNamespace) -> None:
    from cases.tasks import apply_retention
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == "cases.tasks.apply_retention"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {settings.PULJEFLOW_RETENTION_HOUR}

    old = _draft_changed(world, 13, world.b)
    counts = apply_retention()
    assert counts["drafts_deleted"] == 1
    assert not Application.objects.filter(pk=old.pk).exists()
    # A second beat (or the message delivered twice) the same day does nothing.
    again = _draft_changed(world, 13, world.b)
    assert apply_retention() == {}
    assert Application.objects.filter(pk=again.pk).exists()
    assert RetentionRun.objects.get().counts["drafts_deleted"] == 1


def test_a_draft_is_noticed_once_at_11_months_and_deleted_at_13(
    world: SimpleNamespace, draft: Application, django_capture_on_commit_callbacks: Any
) -> None:
    at_11 = _draft_changed(world, 11, world.a)
    at_13 = _draft_changed(world, 13, world.b)
    with time_machine.travel(NOW - 13 * MONTH, tick=False):
        submitted = ApplicationFactory(round=world.round, association=world.b)
        submitted.focus_areas.set([world.focus])
    submitted = engine.perform(submitted, "submit", user=world.bo)

    run_reminders(NOW)
    notices = Notification.objects.filter(kind=Kind.DRAFT_EXPIRING, application=at_11)
    assert list(notices.values_list("recipient", flat=True)) == [world.anna.pk]
    assert not Notification.objects.filter(kind=Kind.DRAFT_EXPIRING, application=draft).exists()
    run_reminders(NOW + datetime.timedelta(hours=1))
    assert notices.count() == 1  # keyed: sent once

    files = _stored(at_13)
    with django_capture_on_commit_callbacks(execute=True):
        report = apply_schedule(now=NOW)
    assert report.drafts_deleted == 1
    assert not Application.objects.filter(pk=at_13.pk).exists()
    assert files and not any(p.exists() for p in files)
    # The notice the association got stays in its list, no longer tied to the draft.
    assert Application.objects.filter(pk__in=[at_11.pk, draft.pk, submitted.pk]).count() == 3
    history = Application.history.filter(id=at_13.pk)
    assert set(history.values_list("title", flat=True)) == {"[slettet]"}

    # Two months on the first draft is 13 months old too: deleted, after its one notice.
    later = NOW + 2 * MONTH
    run_reminders(later)
    assert notices.count() == 1
    assert apply_schedule(now=later).drafts_deleted == 1
    assert not Application.objects.filter(pk=at_11.pk).exists()
    assert Notification.objects.filter(kind=Kind.DRAFT_EXPIRING, recipient=world.anna).count() == 1
    assert Application.objects.get(pk=submitted.pk).status == "submitted"


def test_a_finished_cases_files_go_after_retention_and_the_trail_still_verifies(
    world: SimpleNamespace, draft: Application, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(LONG_AGO, tick=False):
        old_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2019")
        old = ApplicationFactory(round=old_round, association=world.b)
        old = engine.perform(old, "submit", user=world.bo)
        old = engine.perform(old, "reject", user=world.carl, reason="Uden for § 18.", **NO_HEARING)
    open_case = engine.perform(draft, "submit", user=world.anna)
    files = _stored(old)
    assert files and all(p.exists() for p in files)
    kept = _stored(open_case)
    # The rejection's letter, if not printed yet, is a row without a file: removed too.
    unprinted = Document.objects.filter(application=old, pdf="").count()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--years", "5", stdout=out)
    assert f"files removed: {len(files) + unprinted} from 1 case(s)" in out.getvalue()

    assert not any(p.exists() for p in files)
    assert not Attachment.objects.filter(application=old).exists()
    assert kept and all(p.exists() for p in kept)  # an open case is not touched
    record = TransitionRecord.objects.get(application=old, transition="remove_files")
    removed = record.payload["removed_files"]
    assert len(removed) == len(files) + unprinted
    assert {item["sha256"] for item in removed if item["model"] == "attachment"} == {
        hashlib.sha256(PDF_BYTES).hexdigest()
    }
    verify = StringIO()
    call_command("verify_trail", stdout=verify)
    assert "the trail verifies" in verify.getvalue()
    # Nothing more to do on a second run.
    assert apply_schedule(years=5).files_removed == 0


def test_hearing_attachments_and_received_documents_follow_the_case_s_retention(
    world: SimpleNamespace, draft: Application, django_capture_on_commit_callbacks: Any
) -> None:
    def pdf(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")

    with time_machine.travel(LONG_AGO, tick=False):
        old_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2019")
        old = engine.perform(
            ApplicationFactory(round=old_round, association=world.b), "submit", user=world.bo
        )
        old = engine.perform(old, "start_hearing", user=world.carl, facts="CVR: ingen bestyrelse.")
        old = engine.perform(
            old, "answer_hearing", user=world.bo, answer="Se referatet.", documents=[pdf("ref.pdf")]
        )
        old = engine.perform(old, "request_info", user=world.carl, question="Budgettet?")
        old = engine.perform(
            old, "provide_info", user=world.bo, answer="Vedlagt.", documents=[pdf("budget.pdf")]
        )
        old = engine.perform(old, "reject", user=world.carl, reason="Uden for § 18.", **NO_HEARING)
    # The same kinds of file on a case still open stay.
    heard = engine.perform(
        engine.perform(draft, "submit", user=world.anna),
        "start_hearing",
        user=world.carl,
        facts="CVR: ingen bestyrelse.",
    )
    engine.perform(
        heard, "answer_hearing", user=world.anna, answer="Svar", documents=[pdf("a.pdf")]
    )
    hearing_files = [Path(h.file.path) for h in HearingAttachment.objects.all()]
    received = [Path(r.file.path) for r in ReceivedDocument.objects.filter(application=old)]
    assert len(hearing_files) == 2 and len(received) == 1
    assert all(p.exists() for p in [*hearing_files, *received])

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_schedule(years=5)

    assert report.cases_with_files_removed == [old.case_number]
    old_hearing_file, open_hearing_file = hearing_files
    assert not old_hearing_file.exists() and not received[0].exists()
    assert open_hearing_file.exists()
    assert not HearingAttachment.objects.filter(hearing__application=old).exists()
    assert not ReceivedDocument.objects.filter(application=old).exists()
    assert HearingAttachment.objects.filter(hearing__application=heard).count() == 1
    # The hearing itself (facts, answer) is part of the decision record and stays.
    assert Hearing.objects.filter(application=old).count() == 1
    record = TransitionRecord.objects.get(application=old, transition="remove_files")
    removed = {item["model"]: item for item in record.payload["removed_files"]}
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (removed["hearingattachment"]["name"], removed["hearingattachment"]["sha256"]) == (
        "ref.pdf",
        digest,
    )
    assert (removed["receiveddocument"]["name"], removed["receiveddocument"]["sha256"]) == (
        "budget.pdf",
        digest,
    )
    verify = StringIO()
    call_command("verify_trail", stdout=verify)
    assert "the trail verifies" in verify.getvalue()
    assert apply_schedule(years=5).files_removed == 0


def test_an_inactive_account_is_anonymised_after_the_period_and_the_trail_says_so(
    world: SimpleNamespace,
) -> None:
    karen = UserFactory(username="karen", first_name="Karen", last_name="Sagsbehandler")
    give_role(karen, world.roskilde, Role.CASE_OFFICER)
    still_active = UserFactory(username="lone", first_name="Lone")
    with time_machine.travel(LONG_AGO, tick=False):
        old_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2019")
        old = ApplicationFactory(round=old_round, association=world.b)
        old = engine.perform(old, "submit", user=world.bo)
        old = engine.perform(old, "reject", user=karen, reason="Uden for § 18.", **NO_HEARING)
    with time_machine.travel(NOW - 13 * MONTH, tick=False):
        karen.is_active = False
        karen.save()
    recent = UserFactory(username="mette", first_name="Mette")
    recent.is_active = False
    recent.save()

    report = apply_schedule(now=NOW)
    assert report.accounts_anonymised == 1
    karen.refresh_from_db()
    assert karen.username == f"anonymiseret-{karen.pk}"
    assert (karen.first_name, karen.email) == ("anonymiseret", "")
    assert not karen.has_usable_password()
    recent.refresh_from_db()
    still_active.refresh_from_db()
    assert recent.username == "mette" and still_active.username == "lone"

    events = [e for e in trail_events(old) if e.actor_id == karen.pk]
    assert events and {e.actor for e in events} == {"anonymiseret bruger"}
    # The record itself is unchanged (it is hashed): the id and the name it had then.
    record = TransitionRecord.objects.get(application=old, transition="reject")
    assert record.actor_id_at_record == karen.pk
    assert apply_schedule(now=NOW).accounts_anonymised == 0


def test_an_account_that_acted_on_an_open_case_waits(
    world: SimpleNamespace, draft: Application
) -> None:
    karen = UserFactory(username="karen", first_name="Karen")
    give_role(karen, world.roskilde, Role.CASE_OFFICER)
    submitted = engine.perform(draft, "submit", user=world.anna)
    engine.perform(submitted, "accept", user=karen, reason="OK")
    with time_machine.travel(NOW - 13 * MONTH, tick=False):
        karen.is_active = False
        karen.save()
    assert apply_schedule(now=NOW).accounts_anonymised == 0
    karen.refresh_from_db()
    assert karen.username == "karen"
