"""On PostgreSQL the trail cannot be changed, only added to — and not by the application.

Triggers refuse UPDATE and DELETE on the transition records and on every
django-simple-history table, whatever the client: the application, a console,
a script. The migration ``0003_append_only`` installs them; ``post_migrate``
re-installs them idempotently so a history table added by a later migration is
covered too (``tests/workflows/test_append_only.py`` checks every one).

The roles (made by scripts/postgres-up; in production by the DBA, see README):

- the **owner** runs the migrations and owns the tables; it could disable a trigger,
  so the application must not connect as it;
- ``puljeflow_app`` is what the application connects as: SELECT and INSERT on the
  trail tables, the usual DML on the rest, no TRUNCATE, and — not owning a table —
  it cannot ALTER one (so cannot disable a trigger);
- ``puljeflow_retention`` (NOLOGIN) may UPDATE the history tables, and the trigger
  lets an UPDATE of a history row (never of a transition record) through only when
  ``current_user`` is that role: ``manage.py apply_retention`` takes it with
  ``SET LOCAL ROLE`` for the anonymisation, which works only for a login that was
  granted the role (the owner, or a separate retention login) — not for the app.

``grant`` (on ``post_migrate``) applies the table privileges idempotently when the
roles exist. Where they do not (a developer's own PostgreSQL) the old opening is kept:
``SET LOCAL puljeflow.retention = 'on'`` — there the application is the owner, who
could disable the trigger anyway. SQLite has no such protection; there the keyed hash
chain and the checkpoints (``manage.py verify_trail``) detect a changed record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

APP_ROLE = "puljeflow_app"
RETENTION_ROLE = "puljeflow_retention"
TRANSITION_TABLE = "workflows_transitionrecord"

# The names are written out (APP_ROLE, RETENTION_ROLE, TRANSITION_TABLE): no formatting.
FUNCTION = """
CREATE OR REPLACE FUNCTION puljeflow_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The one exception: manage.py apply_retention overwrites personal data in history
    -- rows (never the transition records), inside a transaction that also appends the
    -- anonymisation to each case's chain. See cases/services/retention.py.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME <> 'workflows_transitionrecord' THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'puljeflow_retention') THEN
            IF current_user = 'puljeflow_retention' THEN
                RETURN NEW;
            END IF;
        ELSIF current_setting('puljeflow.retention', true) = 'on' THEN
            RETURN NEW;  -- no roles set up: the connection is the owner's anyway
        END IF;
    END IF;
    RAISE EXCEPTION 'Puljeflow: % on % refused: the trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGER = """
CREATE OR REPLACE TRIGGER puljeflow_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION puljeflow_append_only();
"""


class RetentionNotAllowed(RuntimeError):
    pass


def trail_tables(models: Iterable[Any]) -> list[str]:
    """The transition records and every history table (incl. m2m history) among ``models``."""
    tables = []
    for model in models:
        name = model._meta.model_name
        if model._meta.db_table == TRANSITION_TABLE or name.startswith("historical"):
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def install(connection: Any, models: Iterable[Any]) -> list[str]:
    if connection.vendor != "postgresql":
        return []
    models = list(models)
    tables = trail_tables(models)
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in tables:
            cursor.execute(TRIGGER.format(table=connection.ops.quote_name(table)))
    grant(connection, models)
    return tables


def roles_exist(cursor: Any) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)", [APP_ROLE, RETENTION_ROLE]
    )
    return bool(cursor.fetchone()[0] == 2)


def grant(connection: Any, models: Iterable[Any]) -> bool:
    """The roles' privileges on the tables that exist; False if the roles do not."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not roles_exist(cursor):
            return False
        existing = set(connection.introspection.table_names(cursor))
        trail = [t for t in trail_tables(models) if t in existing]
        history = [t for t in trail if t != TRANSITION_TABLE]
        rest = sorted(existing - set(trail) - {"django_migrations"})
        app, retention = q(APP_ROLE), q(RETENTION_ROLE)
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute(f"GRANT CONNECT ON DATABASE {q(database)} TO {app}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {q(schema)} TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {app}")
        if "django_migrations" in existing:
            cursor.execute(f"GRANT SELECT ON django_migrations TO {app}")
        if rest:
            names = ", ".join(q(t) for t in rest)
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {names} TO {app}")
        if trail:
            names = ", ".join(q(t) for t in trail)
            cursor.execute(f"REVOKE ALL ON {names} FROM {app}, {retention}")
            cursor.execute(f"GRANT SELECT, INSERT ON {names} TO {app}")
        if history:
            names = ", ".join(q(t) for t in history)
            cursor.execute(f"GRANT SELECT, UPDATE ON {names} TO {retention}")
    return True


def open_for_retention(cursor: Any) -> str:
    """Let this transaction overwrite history rows; returns how, for ``close_for_retention``."""
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [RETENTION_ROLE])
    if not cursor.fetchone()[0]:
        cursor.execute("SET LOCAL puljeflow.retention = 'on'")
        return "setting"
    cursor.execute("SELECT pg_has_role(session_user, %s, 'MEMBER')", [RETENTION_ROLE])
    if not cursor.fetchone()[0]:
        raise RetentionNotAllowed(
            f"Retention must run as a database login granted {RETENTION_ROLE} (the owner, "
            "or a retention login), not as the application's role: see README, Production."
        )
    cursor.execute(f"SET LOCAL ROLE {RETENTION_ROLE}")
    return "role"


def close_for_retention(cursor: Any, how: str) -> None:
    if how == "role":
        cursor.execute("RESET ROLE")
    else:
        cursor.execute("SET LOCAL puljeflow.retention = 'off'")


def install_after_migrate(using: str = "default", **kwargs: Any) -> None:
    from django.apps import apps
    from django.db import connections

    install(connections[using], apps.get_models(include_auto_created=True))
