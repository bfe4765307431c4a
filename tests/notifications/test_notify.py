"""notify: rows written in the caller's transaction, queued only after its commit."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from cases.models import Application
from notifications import tasks
from notifications.models import Channel, Kind, Notification, Status
from notifications.selectors import applicants_of, case_officers_of
from notifications.services import notify

from .conftest import prefer


class Boom(Exception):
    pass


def accepted(application: Application, *recipients: Any, legal: bool = False) -> list[Any]:
    return notify(
        kind=Kind.APPLICATION_ACCEPTED,
        application=application,
        recipients=list(recipients),
        context={},
        legal=legal,
    )


def test_rows_are_written_in_the_callers_transaction_and_queued_after_commit(
    world: SimpleNamespace,
    submitted: Application,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = accepted(submitted, world.anna, world.dorte)
        assert Notification.objects.filter(pk__in=[r.pk for r in rows]).count() == 2
        assert queued == []  # nothing is published before the commit

    assert len(callbacks) == 2
    assert queued == [r.pk for r in rows]
    assert {(r.recipient, r.recipient_email, r.status) for r in rows} == {
        (world.anna, "anna@example.org", Status.PENDING),
        (world.dorte, "dorte@example.org", Status.PENDING),
    }


def test_a_rolled_back_transaction_publishes_nothing(
    world: SimpleNamespace,
    submitted: Application,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        accepted(submitted, world.anna)
        raise Boom  # e.g. the transition fails after notifying

    assert callbacks == []
    assert queued == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notify_refuses_to_run_outside_a_transaction(
    world: SimpleNamespace, submitted: Application
) -> None:
    # In autocommit the row would commit on its own, apart from the change it reports.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        accepted(submitted, world.anna)
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_refused_before_anything_is_written(
    world: SimpleNamespace, submitted: Application
) -> None:
    with pytest.raises(ValueError), transaction.atomic():
        notify(
            kind="application_sumbitted",
            application=submitted,
            recipients=[world.anna],
            context={},
            legal=False,
        )
    assert not Notification.objects.exists()


def test_a_broker_that_is_down_does_not_break_the_committed_change(
    world: SimpleNamespace,
    submitted: Application,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broker_down(notification_id: int) -> None:
        raise ConnectionError("Error 111 connecting to redis:6379")

    monkeypatch.setattr(tasks.deliver, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = accepted(submitted, world.anna, world.dorte)

    # Both rows wait for the sweep: due now, never attempted.
    assert list(Notification.objects.values_list("pk", "status", "attempts")) == [
        (r.pk, Status.PENDING, 0) for r in reversed(rows)
    ]


def test_each_user_gets_it_in_their_own_language(
    world: SimpleNamespace, submitted: Application
) -> None:
    prefer(world.anna, language="en")
    with transaction.atomic():
        rows = accepted(submitted, world.anna, world.carl)
    by_user = {r.recipient: r for r in rows}

    case = submitted.case_number
    assert by_user[world.anna].language == "en"
    assert by_user[world.anna].subject == f"Application {case} has been sent for review"
    assert by_user[world.carl].language == "da"  # no preference: Danish
    assert by_user[world.carl].subject == f"Ansøgning {case} er sendt til behandling"


def test_a_muted_kind_is_skipped_but_a_legal_notice_never(
    world: SimpleNamespace, submitted: Application
) -> None:
    prefer(world.anna, muted=[Kind.APPLICATION_ACCEPTED, Kind.DECISION])
    with transaction.atomic():
        reminder = accepted(submitted, world.anna, world.dorte)
        legal = notify(
            kind=Kind.DECISION,
            application=submitted,
            recipients=[world.anna],
            context={"granted": False, "amount": 0, "reasons": "Puljen er brugt"},
            legal=True,
        )

    assert [r.recipient for r in reminder] == [world.dorte]
    assert [(r.recipient, r.is_legal_notice) for r in legal] == [(world.anna, True)]


def test_a_user_without_an_address_gets_an_in_app_row_and_nothing_is_queued(
    world: SimpleNamespace,
    submitted: Application,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    world.anna.email = ""
    world.anna.save()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (row,) = accepted(submitted, world.anna)

    assert (row.channel, row.status, row.sent_at is not None) == (Channel.IN_APP, "sent", True)
    assert queued == []


def test_addresses_without_an_account_get_it_in_danish_once(
    world: SimpleNamespace, submitted: Application
) -> None:
    with transaction.atomic():
        rows = notify(
            kind=Kind.APPLICATION_SUBMITTED,
            application=submitted,
            recipients=[world.anna, world.anna],
            addresses=["kontakt@example.org", "kontakt@example.org"],
            context={},
            legal=False,
        )
    assert [(r.recipient, r.recipient_email, r.language) for r in rows] == [
        (world.anna, "anna@example.org", "da"),
        (None, "kontakt@example.org", "da"),
    ]
    assert rows[1].body_text.startswith("Goddag\n")


def test_each_row_has_its_own_message_id(world: SimpleNamespace, submitted: Application) -> None:
    with transaction.atomic():
        rows = accepted(submitted, world.anna, world.dorte)
    ids = {r.message_id for r in rows}
    assert len(ids) == 2
    assert all(i.startswith("<") and i.endswith("@localhost>") for i in ids)


def test_the_application_names_whom_to_tell(world: SimpleNamespace, submitted: Application) -> None:
    # anna represents association A; dorte only sits on its board. carl is Roskilde's
    # case officer; helle is Næstved's.
    assert list(applicants_of(submitted)) == [world.anna]
    assert list(case_officers_of(submitted)) == [world.carl]
    world.anna.is_active = False
    world.anna.save()
    assert list(applicants_of(submitted)) == []


def test_recipients_from_the_selectors_bring_their_preferences_along(
    world: SimpleNamespace, submitted: Application
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prefer(world.anna, language="en", muted=[Kind.APPLICATION_ACCEPTED])
    recipients = [*applicants_of(submitted), *case_officers_of(submitted)]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows = notify(
            kind=Kind.APPLICATION_ACCEPTED,
            application=submitted,
            recipients=recipients,
            context={},
            legal=False,
        )

    assert world.anna not in [r.recipient for r in rows]  # muted, read from the join
    assert world.carl in [r.recipient for r in rows]
    assert not [q for q in queries if "notifications_userpreference" in q["sql"]]
