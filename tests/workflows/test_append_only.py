"""The trail cannot be changed quietly.

On PostgreSQL the database itself refuses UPDATE and DELETE on the transition
records and on every history table. On any database, ``manage.py verify_trail``
finds a changed record, a removed one, and a case whose state no longer matches
its trail — and names the record.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases.models import Application
from cases.trail.append_only import trail_tables
from cases.trail.history import unaudited_writes_allowed
from cases.trail.models import TransitionRecord

from ..conftest import on_postgres
from .support import S, reach, records_of
from .test_trail import raw_delete, raw_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended(world: SimpleNamespace, draft: Application) -> Application:
    return reach(draft, world, S.RECOMMENDED)


def _sql(statement: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- PostgreSQL refuses ----------------------------------------------------------------------


@on_postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE workflows_transitionrecord SET reason = 'rettet' WHERE id = %s",
        "DELETE FROM workflows_transitionrecord WHERE id = %s",
    ],
)
def test_postgres_refuses_to_change_a_transition_record(
    recommended: Application, statement: str
) -> None:
    record = records_of(recommended)[1]
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(statement, [record.pk])
    assert TransitionRecord.objects.get(pk=record.pk).reason == record.reason


@on_postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cases_historicalapplication SET amount_requested = 1 WHERE history_id = %s",
        "DELETE FROM cases_historicalapplication WHERE history_id = %s",
    ],
)
def test_postgres_refuses_to_change_a_history_row(recommended: Application, statement: str) -> None:
    row = recommended.history.earliest("history_date")
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(statement, [row.history_id])
    assert recommended.history.filter(history_id=row.history_id).exists()


@on_postgres
def test_every_history_table_and_the_records_carry_the_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'puljeflow_append_only' AND t.tgenabled = 'O'"
        )
        protected = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE '%%historical%%'"
        )
        history_tables = {name for (name,) in cursor.fetchall()}
    expected = set(trail_tables(apps.get_models(include_auto_created=True)))
    assert "workflows_transitionrecord" in expected
    assert history_tables and history_tables <= expected
    assert expected <= protected, f"unprotected: {sorted(expected - protected)}"


# --- verify_trail finds what got past -------------------------------------------------------


def _verify(*args: str) -> tuple[int, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_trail", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, err.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_clean_trail_verifies(recommended: Application, world: SimpleNamespace) -> None:
    code, output = _verify()
    assert code == 0 and "1 applications, 3 transition records checked" in output
    assert _verify("--application", recommended.case_number)[0] == 0
    assert _verify("--round", str(world.round.pk))[0] == 0
    assert _verify("--municipality", world.roskilde.name)[0] == 0


def test_an_edited_record_is_reported_at_that_record(recommended: Application) -> None:
    accept = records_of(recommended)[1]
    raw_update(accept, "reason", "Opfylder ikke kriterierne")
    code, output = _verify()
    assert code == 1
    assert f"application {recommended.pk}, record #2 (id {accept.pk})" in output
    assert "content does not match its hash" in output and "1 broken" in output


def test_a_removed_last_record_is_found_by_the_case_it_leaves_behind(
    recommended: Application,
) -> None:
    raw_delete(records_of(recommended)[-1])
    code, output = _verify("--application", str(recommended.pk))
    assert code == 1
    assert "3 state changes but the trail records 2" in output


def test_a_state_changed_behind_the_flow_is_found(recommended: Application) -> None:
    recommended.status = S.GRANTED
    with unaudited_writes_allowed():
        Application.objects.filter(pk=recommended.pk).update(status=S.GRANTED)
    code, output = _verify()
    assert code == 1 and "the trail ends in “recommended” but the case is “granted”" in output


def test_other_cases_are_still_checked_after_a_broken_one(
    recommended: Application, world: SimpleNamespace
) -> None:
    from ..factories import ApplicationFactory

    other = ApplicationFactory(round=world.round, association=world.a, case_number="2026-0777")
    other.focus_areas.set([world.focus])
    other = reach(other, world, S.SUBMITTED)
    raw_update(records_of(recommended)[0], "role", "case_officer")
    raw_update(records_of(other)[0], "actor_name", "Nogen Andre")
    code, output = _verify()
    assert code == 1 and "2 broken" in output
    assert f"application {other.pk}, record #1" in output


def test_an_unknown_filter_is_an_error_not_a_pass(db: None) -> None:
    code, output = _verify("--application", "1999-0001")
    assert code == 1 and "No application matches" in output
