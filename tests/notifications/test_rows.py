"""``notifications.rows.insert``: many rows without model instances (issue 19's cold
sweep). A row written through it must be the row ``bulk_create`` writes from the same
values, and an ``ignore_conflicts`` insert must hand back exactly the rows it made."""

from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Application
from notifications import rows
from notifications.models import Channel, Kind, Notification, Reminder
from notifications.services import notification_values, render

from ..conftest import on_postgres


def values_for(world: SimpleNamespace, draft: Application, **extra: object) -> dict[str, object]:
    found = notification_values(
        kind=Kind.DEADLINE_APPROACHING,
        user=world.anna,
        email=world.anna.email,
        preference=None,
        application=draft,
        context={"deadline": draft.round.deadline, "note": "Æble & <pære> »citat« 'x'\nlinje"},
        legal=False,
        now=timezone.now(),
        renderer=render,
    )
    assert found is not None
    return {**found, **extra}


def stored(pk: int) -> dict[str, object]:
    row = Notification.objects.get(pk=pk)
    fields = model_to_dict(row, exclude=["id", "message_id"])
    return {**fields, "created_at": row.created_at, "next_attempt_at": row.next_attempt_at}


@pytest.mark.django_db
def test_a_row_inserted_without_an_instance_equals_the_row_bulk_create_writes(
    world: SimpleNamespace, draft: Application
) -> None:
    values = values_for(world, draft)
    [(pk,)] = rows.insert(Notification, [values])
    twin = Notification(**{**values, "message_id": "<twin@example.invalid>"})
    Notification.objects.bulk_create([twin])
    assert stored(pk) == stored(twin.pk)
    assert Notification.objects.get(pk=pk).message_id == values["message_id"]
    # Every column was given: a field the model gains later must be added here too.
    assert set(values) == {f.attname for f in Notification._meta.concrete_fields} - {"id"}


@pytest.mark.django_db
def test_many_rows_come_back_with_their_ids_in_order(
    world: SimpleNamespace, draft: Application
) -> None:
    many = [
        values_for(world, draft, recipient_email=f"n{i}@example.dk", channel=Channel.EMAIL)
        for i in range(5)
    ]
    ids = rows.insert(Notification, many)
    assert [Notification.objects.get(pk=pk).recipient_email for (pk,) in ids] == [
        f"n{i}@example.dk" for i in range(5)
    ]
    assert rows.insert(Notification, []) == []


def key(object_id: int, run: uuid.UUID) -> dict[str, object]:
    return {
        "rule": "deadline_approaching",
        "object_kind": "application",
        "object_id": object_id,
        "due_on": date(2027, 1, 1),
        "recipient_key": 0,
        "run": run,
        "created_at": timezone.now(),
    }


@on_postgres
@pytest.mark.django_db
def test_an_insert_ignoring_conflicts_returns_only_the_keys_it_made() -> None:
    first = rows.insert(
        Reminder, [key(1, uuid.uuid4()), key(2, uuid.uuid4())],
        returning=("object_id",), ignore_conflicts=True,
    )  # fmt: skip
    again = rows.insert(
        Reminder, [key(2, uuid.uuid4()), key(3, uuid.uuid4())],
        returning=("object_id",), ignore_conflicts=True,
    )  # fmt: skip
    assert (first, again) == ([(1,), (2,)], [(3,)])
    assert Reminder.objects.count() == 3


@pytest.mark.django_db
def test_ignoring_conflicts_where_the_backend_cannot_say_what_it_made_is_refused() -> None:
    if rows.returns_inserted():
        pytest.skip("PostgreSQL says which rows it made")
    with pytest.raises(ValueError, match="returns_inserted"):
        rows.insert(Reminder, [key(1, uuid.uuid4())], ignore_conflicts=True)


@pytest.mark.django_db
def test_the_insert_is_seen_by_whatever_counts_queries(
    world: SimpleNamespace, draft: Application
) -> None:
    with CaptureQueriesContext(connection) as seen:
        rows.insert(Notification, [values_for(world, draft), values_for(world, draft)])
    writes = [q["sql"] for q in seen.captured_queries if q["sql"].startswith(("COPY", "INSERT"))]
    assert len(writes) == 1, seen.captured_queries


def test_the_sweep_pauses_the_collector_for_a_batch_and_leaves_it_as_it_found_it() -> None:
    import gc

    from notifications.reminders.engine import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before: not switched on behind the caller's back
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failing batch")
    assert gc.isenabled()


def test_a_model_with_history_is_refused() -> None:
    with pytest.raises(TypeError, match="keeps history"):
        rows.insert(Application, [{"title": "x"}])
