"""PostgreSQL refuses the application's own role what would rewrite the trail.

The application connects as ``puljeflow_app`` (scripts/postgres-up makes it; the grants
are applied after every migrate, cases/trail/append_only.py): it may read and append
to the trail, and change the other tables, but not UPDATE, DELETE or TRUNCATE a trail
table, nor switch a trigger off (it owns no table), nor take the retention role; and
the old session setting ``puljeflow.retention`` opens nothing once the roles exist.
Each refusal is shown beside what the same role (or the owner) may do.
"""

# ruff: noqa: S608  (SQL made of the tables' names, no input)
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from cases.trail.append_only import (
    APP_ROLE,
    RETENTION_ROLE,
    RetentionNotAllowed,
    open_for_retention,
    roles_exist,
)

from ..conftest import on_postgres
from .support import HISTORY, RECORDS

pytestmark = [on_postgres, pytest.mark.django_db]

# scripts/postgres-up's development password; a CI with another sets this variable.
APP_PASSWORD = os.environ.get("PULJEFLOW_APP_DB_PASSWORD", "puljeflow_app")


@pytest.fixture
def app_db() -> Iterator[Any]:
    """A connection to the test database as the application's role."""
    import psycopg

    with connection.cursor() as cursor:
        if not roles_exist(cursor):
            pytest.skip(
                f"the roles {APP_ROLE} and {RETENTION_ROLE} do not exist: run scripts/postgres-up"
            )
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=APP_ROLE,
        password=APP_PASSWORD,
        autocommit=True,
        options="-c lock_timeout=5s -c statement_timeout=10s",
    )
    try:
        yield conn
    finally:
        conn.close()


def _refused(conn: Any, sql: str, match: str) -> None:
    import psycopg

    with pytest.raises(psycopg.Error, match=match):
        conn.execute(sql)


def test_the_app_reads_and_changes_what_it_should(app_db: Any) -> None:
    """The allowed side: reading the trail, and the usual DML on a case."""
    assert app_db.execute(f"SELECT count(*) FROM {RECORDS}").fetchone() is not None
    app_db.execute("UPDATE cases_application SET title = title WHERE false")
    app_db.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [RECORDS])


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {RECORDS} SET reason = 'rettet'",
        f"DELETE FROM {RECORDS}",
        f"UPDATE {HISTORY} SET granted_amount = 999999",
        f"DELETE FROM {HISTORY}",
    ],
)
def test_the_app_may_not_update_or_delete_the_trail(app_db: Any, sql: str) -> None:
    _refused(app_db, sql, "permission denied")


@pytest.mark.parametrize("table", [RECORDS, HISTORY])
def test_the_app_may_not_truncate_the_trail(app_db: Any, table: str) -> None:
    _refused(app_db, f"TRUNCATE {table}", "permission denied")


@pytest.mark.parametrize("table", [RECORDS, HISTORY])
def test_the_app_may_not_switch_the_trigger_off(app_db: Any, table: str) -> None:
    _refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER puljeflow_append_only", "must be owner")
    _refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER ALL", "must be owner")


def test_the_session_setting_opens_nothing_for_the_app(app_db: Any) -> None:
    app_db.execute("SET puljeflow.retention = 'on'")
    _refused(app_db, f"UPDATE {HISTORY} SET granted_amount = 1", "permission denied")


def test_the_app_may_not_take_the_retention_role(app_db: Any) -> None:
    _refused(app_db, f"SET ROLE {RETENTION_ROLE}", "permission denied")
    with (
        app_db.transaction(),
        app_db.cursor() as cursor,
        pytest.raises(RetentionNotAllowed, match=RETENTION_ROLE),
    ):
        open_for_retention(cursor)


def _as_owner(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_session_setting_opens_nothing_for_the_owner_either(
    recommended_history_row: int,
) -> None:
    """Once the roles exist only the retention role's UPDATE passes the trigger."""
    with pytest.raises(DatabaseError, match="append-only"):
        _as_owner(
            f"SET LOCAL puljeflow.retention = 'on'; "
            f"UPDATE {HISTORY} SET title = 'x' WHERE history_id = %s",
            [recommended_history_row],
        )
    # The retention role may (what apply_retention does), on history rows only.
    _as_owner(
        f"SET LOCAL ROLE {RETENTION_ROLE}; "
        f"UPDATE {HISTORY} SET title = title WHERE history_id = %s",
        [recommended_history_row],
    )
    with pytest.raises(DatabaseError, match=r"permission denied|append-only"):
        _as_owner(f"SET LOCAL ROLE {RETENTION_ROLE}; UPDATE {RECORDS} SET reason = reason", [])


@pytest.fixture
def recommended_history_row(world: Any, draft: Any) -> int:
    from ..workflows.support import S, reach

    application = reach(draft, world, S.RECOMMENDED)
    return int(application.history.latest("history_date").history_id)
