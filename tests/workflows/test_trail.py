"""The transition records: append-only, hash-chained, and surviving the deletion of a user.

And the domain models' guard: a bulk write that history cannot see is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from cases.models import Application
from cases.trail.chain import seal, verify_records
from cases.trail.history import UnauditedWriteError, unaudited_writes_allowed
from cases.trail.keys import current_key_id
from cases.trail.models import AppendOnlyError, TransitionRecord

from .support import S, reach, records_of


def _as_table_owner(cursor: Any, table: str, sql: str, params: list[Any]) -> None:
    """On PostgreSQL the append-only trigger refuses the change (test_append_only.py);
    the table's owner can still switch it off, so the chain must catch what gets past."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks, or ALTER waits
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER puljeflow_append_only")
    cursor.execute(sql, params)
    if connection.vendor == "postgresql":
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER puljeflow_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw_update(record: TransitionRecord, column: str, value: Any) -> None:
    """Change a record behind the ORM's back, as someone with database access could."""
    table = connection.ops.quote_name(TransitionRecord._meta.db_table)
    with connection.cursor() as cursor:
        _as_table_owner(
            cursor,
            table,
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, record.pk],
        )


def raw_delete(record: TransitionRecord) -> None:
    table = connection.ops.quote_name(TransitionRecord._meta.db_table)
    with connection.cursor() as cursor:
        _as_table_owner(cursor, table, f"DELETE FROM {table} WHERE id = %s", [record.pk])  # noqa: S608


@pytest.fixture
def recommended(world: SimpleNamespace, draft: Application) -> Application:
    """Three records: submit, accept, recommend."""
    return reach(draft, world, S.RECOMMENDED)


# --- tampering is found --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "Opfylder IKKE kriterierne"),
        ("role", "committee_chair"),
        ("to_state", "ineligible"),
        ("actor_name", "Frida (frida)"),
        ("payload", '{"_actor_id": 1}'),
    ],
)
def test_editing_a_record_in_the_database_breaks_the_chain_at_that_record(
    recommended: Application, column: str, value: str
) -> None:
    assert verify_records(records_of(recommended)) is None
    second = records_of(recommended)[1]

    raw_update(second, column, value)

    broken = verify_records(records_of(recommended))
    assert broken is not None
    assert (broken.seq, broken.record_id, broken.problem) == (
        2,
        second.pk,
        "content does not match its hash",
    )


def test_a_forger_who_rehashes_the_edited_record_is_caught_by_the_next_one(
    recommended: Application,
) -> None:
    second = records_of(recommended)[1]
    second.reason = "Opfylder IKKE kriterierne"
    raw_update(second, "reason", second.reason)
    raw_update(second, "hash", second.compute_hash())

    broken = verify_records(records_of(recommended))

    assert broken is not None
    assert (broken.seq, broken.problem) == (3, "does not point at the record before")


def test_a_record_deleted_from_the_middle_leaves_a_gap(recommended: Application) -> None:
    raw_delete(records_of(recommended)[1])

    broken = verify_records(records_of(recommended))

    assert broken is not None
    assert (broken.seq, broken.problem) == (3, "expected record #2")


# --- the ORM refuses to change a record ------------------------------------------------------


def _queryset_update(application: Application) -> Any:
    return TransitionRecord.objects.filter(application=application).update(reason="x")


def _manager_update(application: Application) -> Any:
    return TransitionRecord.objects.update(reason="x")


def _related_update(application: Application) -> Any:
    return application.transition_records.update(reason="x")


def _queryset_delete(application: Application) -> Any:
    return TransitionRecord.objects.filter(application=application).delete()


def _related_delete(application: Application) -> Any:
    return application.transition_records.all().delete()


def _record_delete(application: Application) -> Any:
    return records_of(application)[0].delete()


def _record_save(application: Application) -> Any:
    record = records_of(application)[0]
    record.reason = "x"
    return record.save()


def _record_save_update_fields(application: Application) -> Any:
    record = records_of(application)[0]
    record.reason = "x"
    return record.save(update_fields=["reason"])


def _bulk_update(application: Application) -> Any:
    records = records_of(application)
    for record in records:
        record.reason = "x"
    return TransitionRecord.objects.bulk_update(records, ["reason"])


def _update_or_create(application: Application) -> Any:
    return TransitionRecord.objects.update_or_create(
        application=application, seq=1, defaults={"reason": "x"}
    )


WRITES: dict[str, Callable[[Application], Any]] = {
    "queryset.update": _queryset_update,
    "manager.update": _manager_update,
    "related-manager.update": _related_update,
    "queryset.delete": _queryset_delete,
    "related-manager.delete": _related_delete,
    "record.delete": _record_delete,
    "record.save": _record_save,
    "record.save-update-fields": _record_save_update_fields,
    "bulk_update": _bulk_update,
    "update_or_create": _update_or_create,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_transition_records_cannot_be_changed_or_deleted(
    recommended: Application, write: Callable[[Application], Any]
) -> None:
    before = [(r.pk, r.reason, r.hash) for r in records_of(recommended)]

    with pytest.raises(AppendOnlyError, match="append-only"):
        write(recommended)

    assert [(r.pk, r.reason, r.hash) for r in records_of(recommended)] == before
    assert verify_records(records_of(recommended)) is None


def test_bulk_create_cannot_overwrite_an_existing_record(recommended: Application) -> None:
    second = records_of(recommended)[1]
    forged = TransitionRecord(
        **{f.attname: getattr(second, f.attname) for f in TransitionRecord._meta.concrete_fields}
    )
    forged.reason = "Opfylder IKKE kriterierne"

    try:
        with pytest.raises(AppendOnlyError):
            TransitionRecord.objects.bulk_create(
                [forged], update_conflicts=True, unique_fields=["id"], update_fields=["reason"]
            )
    finally:
        assert TransitionRecord.objects.get(pk=second.pk).reason == second.reason


def test_a_new_record_can_still_be_appended(recommended: Application) -> None:
    """The guard is about existing records: appending is what the trail does."""
    record = records_of(recommended)[-1]
    appended = TransitionRecord(
        application=recommended,
        seq=record.seq + 1,
        flow=record.flow,
        transition="decide",
        from_state=S.RECOMMENDED,
        to_state=S.GRANTED,
        actor=record.actor,
        actor_name=record.actor_name,
        role=record.role,
        created_at=record.created_at,
        payload={"_actor_id": record.actor_id},
        prev_hash=record.hash,
    )
    seal(appended, recommended)
    appended.save()

    assert verify_records(records_of(recommended)) is None
    assert appended.key_id == current_key_id() and appended.state["status"] == S.RECOMMENDED


# --- the actor may be deleted later -----------------------------------------------------------


def test_deleting_the_actor_keeps_the_record_and_the_chain(
    world: SimpleNamespace, recommended: Application
) -> None:
    accept = records_of(recommended)[1]
    assert (accept.transition, accept.actor) == ("accept", world.carl)

    carl_id = world.carl.pk
    history = recommended.history.filter(history_user_id=carl_id)
    assert history.exists()
    before = list(history.values_list("history_id", "history_user_id", "history_user_name"))

    world.carl.delete()

    # Nothing in the trail was touched: the id stays (no SET NULL), the name at the time too.
    accept = TransitionRecord.objects.get(pk=accept.pk)
    assert (accept.transition, accept.actor_id, accept.actor_name) == (
        "accept",
        carl_id,
        "Carl (carl)",
    )
    assert accept.actor_id_at_record == accept.payload["_actor_id"] == carl_id
    assert verify_records(records_of(recommended)) is None
    assert list(history.values_list("history_id", "history_user_id", "history_user_name")) == (
        before
    )
    assert {name for _id, _user, name in before} == {"Carl (carl)"}


# --- domain models refuse writes their history cannot see ---------------------------------------


def _new_application(world: SimpleNamespace) -> Application:
    return Application(
        municipality=world.roskilde,
        round=world.round,
        association=world.b,
        case_number="2026-9999",
        title="Besøgsven",
    )


BULK: dict[str, Callable[[SimpleNamespace, Application], Any]] = {
    "manager.update": lambda world, app: Application.objects.update(title="x"),
    "queryset.update": lambda world, app: Application.objects.filter(pk=app.pk).update(title="x"),
    "related-manager.update": lambda world, app: world.round.applications.update(title="x"),
    "bulk_create": lambda world, app: Application.objects.bulk_create([_new_application(world)]),
    "bulk_update": lambda world, app: Application.objects.bulk_update([app], ["title"]),
}


@pytest.mark.parametrize("write", BULK.values(), ids=BULK.keys())
def test_bulk_writes_to_applications_are_refused(
    world: SimpleNamespace, draft: Application, write: Callable[[SimpleNamespace, Application], Any]
) -> None:
    draft.title = "x"  # what bulk_update would write

    with pytest.raises(UnauditedWriteError, match="bypasses the model history"):
        write(world, draft)

    assert Application.objects.get(pk=draft.pk).title == "Lektiecafé for børn"
    assert Application.objects.count() == 1


@pytest.mark.parametrize("write", BULK.values(), ids=BULK.keys())
def test_bulk_writes_work_where_unaudited_writes_are_allowed(
    world: SimpleNamespace, draft: Application, write: Callable[[SimpleNamespace, Application], Any]
) -> None:
    draft.title = "x"

    with unaudited_writes_allowed():
        write(world, draft)

    changed = (
        Application.objects.filter(title="x").count()
        + Application.objects.filter(case_number="2026-9999").count()
    )
    assert changed == 1
    with pytest.raises(UnauditedWriteError):
        Application.objects.update(amount_requested=Decimal("1"))
