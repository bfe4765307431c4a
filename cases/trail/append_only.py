"""On PostgreSQL the trail cannot be changed, only added to.

Triggers refuse UPDATE and DELETE on the transition records and on every
django-simple-history table, whatever the client: the application, a console,
a script. The migration ``0003_append_only`` installs them; ``post_migrate``
re-installs them idempotently so a history table added by a later migration is
covered too (``tests/workflows/test_append_only.py`` checks every one).

TRUNCATE is not refused: it needs the table owner's rights (the application
should not run as the owner in production — see README), and Django's test
runner empties tables with it. SQLite has no such protection; there the hash
chain (``manage.py verify_trail``) detects a changed record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FUNCTION = """
CREATE OR REPLACE FUNCTION puljeflow_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The one exception: manage.py apply_retention overwrites personal data in history
    -- rows (never the transition records), inside a transaction that also appends the
    -- anonymisation to each case's chain. See cases/services/retention.py.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME <> 'workflows_transitionrecord'
       AND current_setting('puljeflow.retention', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Puljeflow: % on % refused: the trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRANSITION_TABLE = "workflows_transitionrecord"

TRIGGER = """
CREATE OR REPLACE TRIGGER puljeflow_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION puljeflow_append_only();
"""


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
    tables = trail_tables(models)
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in tables:
            cursor.execute(TRIGGER.format(table=connection.ops.quote_name(table)))
    return tables


def install_after_migrate(using: str = "default", **kwargs: Any) -> None:
    from django.apps import apps
    from django.db import connections

    install(connections[using], apps.get_models(include_auto_created=True))
