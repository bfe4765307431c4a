"""Retention: contact persons' personal data on finished cases goes after N years;
the trail stays complete, records the anonymisation, and still verifies."""

from __future__ import annotations

import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases.models import Application, Association, Feedback
from cases.services.retention import REDACTED, REDACTED_EMAIL, apply_retention
from cases.trail.models import TransitionRecord
from notifications.models import Notification
from workflows import engine

from ..conftest import NO_HEARING, advance, on_postgres
from ..factories import ApplicationFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2019, 3, 1, 12, tzinfo=datetime.UTC)


def _refused_long_ago(world: SimpleNamespace, association: Association) -> Application:
    with time_machine.travel(LONG_AGO, tick=False):
        old_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2019")
        application = ApplicationFactory(round=old_round, association=association)
        user = world.bo if association == world.b else world.anna
        application = engine.perform(application, "submit", user=user)
        application = engine.perform(
            application, "reject", user=world.carl, reason="Uden for § 18.", **NO_HEARING
        )
    return application


def _verify() -> str:
    out = StringIO()
    call_command("verify_trail", stdout=out)
    return out.getvalue()


def test_an_old_finished_case_loses_its_contact_data_and_records_it(
    world: SimpleNamespace,
) -> None:
    old = _refused_long_ago(world, world.b)
    assert Notification.objects.filter(application=old).exists()
    before = TransitionRecord.objects.filter(application=old).count()

    out = StringIO()
    call_command("apply_retention", "--years", "5", stdout=out)
    assert old.case_number in out.getvalue()

    world.b.refresh_from_db()
    assert (world.b.contact_person, world.b.email) == (REDACTED, REDACTED_EMAIL)
    history = Association.history.filter(id=world.b.pk)
    assert set(history.values_list("contact_person", flat=True)) == {REDACTED}
    assert set(
        Notification.objects.filter(application=old).values_list("recipient_email", flat=True)
    ) == {REDACTED_EMAIL}
    # The trail is whole: nothing removed, the anonymisation and the removal of the case's
    # files appended (cases/services/retention_schedule.py), and it verifies.
    records = TransitionRecord.objects.filter(application=old).order_by("seq")
    assert records.count() == before + 2
    assert [r.transition for r in records][-2:] == ["anonymise", "remove_files"]
    assert records.first().reason == "" and "the trail verifies" in _verify()
    # Running again changes nothing more.
    assert apply_retention(years=5).cases == []


def test_recent_and_open_cases_keep_their_data(world: SimpleNamespace, draft: Application) -> None:
    _refused_long_ago(world, world.a)
    advance(draft, world, "in_council_review")  # A has an open case now
    contact = world.a.contact_person
    report = apply_retention(years=5)
    assert len(report.cases) == 1
    world.a.refresh_from_db()
    assert world.a.contact_person == contact  # the current contact of an active association
    old_rows = Association.history.filter(
        id=world.a.pk, history_date__lt=LONG_AGO.replace(year=2020)
    )
    assert set(old_rows.values_list("contact_person", flat=True)) <= {REDACTED}
    assert (
        Notification.objects.filter(application=draft)
        .exclude(recipient_email=REDACTED_EMAIL)
        .exists()
    )


def test_a_dry_run_changes_nothing(world: SimpleNamespace) -> None:
    old = _refused_long_ago(world, world.b)
    report = apply_retention(years=5, dry_run=True)
    assert report.cases == [old.case_number]
    world.b.refresh_from_db()
    assert world.b.contact_person != REDACTED
    assert not TransitionRecord.objects.filter(transition="anonymise").exists()


@on_postgres
def test_outside_retention_history_rows_still_refuse_updates(world: SimpleNamespace) -> None:
    _refused_long_ago(world, world.b)
    apply_retention(years=5)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE cases_historicalassociation SET contact_person = 'X' WHERE id = %s",
            [world.b.pk],
        )


@pytest.mark.parametrize("years", ["0", "-3"])
def test_a_retention_of_less_than_a_year_is_refused_and_changes_nothing(
    world: SimpleNamespace, years: str
) -> None:
    from django.core.management import CommandError

    _refused_long_ago(world, world.b)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("apply_retention", "--years", years, stdout=StringIO())
    world.b.refresh_from_db()
    assert world.b.contact_person != REDACTED
    assert not TransitionRecord.objects.filter(transition="anonymise").exists()


def test_the_questionnaire_comment_goes_and_its_figures_stay(world: SimpleNamespace) -> None:
    old = _refused_long_ago(world, world.b)
    with time_machine.travel(LONG_AGO + datetime.timedelta(days=3), tick=False):
        answer = Feedback.objects.create(
            application=old,
            ease=4,
            time_spent="hours_1_3",
            comment="Spørg efter Karin.",
            language="da",
        )
        answer.comment = "Spørg efter Karin Jensen."
        answer.save()

    apply_retention(years=5)

    answer.refresh_from_db()
    assert (answer.comment, answer.ease) == ("", 4)
    assert set(Feedback.history.filter(id=answer.pk).values_list("comment", flat=True)) == {""}
    record = TransitionRecord.objects.get(application=old, transition="anonymise")
    assert record.payload["feedback_comments"] == 1
    assert "the trail verifies" in _verify()
