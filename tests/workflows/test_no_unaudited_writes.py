"""No code in the apps writes around django-simple-history or the append-only guard.

An AST scan, not a grep: a comment or a docstring that mentions ``bulk_create(``
must not count, and an aliased ``connection`` must. Only the two modules that
define the guards may call these.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cases", "workflows", "notifications", "web", "api")
GUARDS = {
    "cases/trail/history.py",
    "cases/trail/models.py",
}  # the two modules that define the guards
EXCEPTIONS = {
    # installs the PostgreSQL triggers that make the trail append-only (DDL only)
    "cases/trail/append_only.py",
    # opens the history tables for its own anonymising UPDATE (SET LOCAL), and
    # appends the anonymisation to each case's chain in the same transaction
    "cases/services/retention.py",
    # the retention schedule: the same, for removing a finished case's files and blanking
    # the letters' text in their history rows
    "cases/services/retention_schedule.py",
    # inserts reminder keys and outbox rows (not domain models: no history) with
    # ON CONFLICT DO NOTHING, which is what makes a reminder unique
    "notifications/reminders/engine.py",
    # the outbox rows of one notification in one INSERT (not domain models: no history)
    "notifications/services.py",
    # a sweep's reminder keys and outbox rows without model instances (COPY, unnest); it
    # refuses a model with history (tests/notifications/test_rows.py)
    "notifications/rows.py",
    # a case's first hand-over row, ON CONFLICT DO NOTHING (a queue like the outbox: no
    # history; its own events are chained records)
    "cases/handover/runner.py",
    # runs SELECTs that Django compiled from querysets, once per process (issue 19); reads
    # only: it refuses SQL that is not a SELECT
    "cases/compiled.py",
}
EXEMPT = GUARDS | EXCEPTIONS
FORBIDDEN_METHODS = frozenset({"bulk_create", "bulk_update", "raw", "extra"})


def _connection_aliases(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Local names bound to django.db.connection and django.db.connections."""
    single, multi = {"connection"}, {"connections"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.db":
            for alias in node.names:
                if alias.name == "connection":
                    single.add(alias.asname or alias.name)
                elif alias.name == "connections":
                    multi.add(alias.asname or alias.name)
    return single, multi


def _is_connection(node: ast.expr, single: set[str], multi: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in single
    if isinstance(node, ast.Attribute):  # django.db.connection, db.connection
        return node.attr == "connection"
    if isinstance(node, ast.Subscript):  # connections["default"]
        value = node.value
        return (isinstance(value, ast.Name) and value.id in multi) or (
            isinstance(value, ast.Attribute) and value.attr == "connections"
        )
    if isinstance(node, ast.Call):  # transaction.get_connection()
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "get_connection"
    return False


def forbidden_calls(source: str, filename: str = "<source>") -> list[str]:
    tree = ast.parse(source, filename)
    single, multi = _connection_aliases(tree)
    hits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr = node.func.attr
        if attr in FORBIDDEN_METHODS:
            hits.append(f"{filename}:{node.lineno}: .{attr}(")
        elif attr == "cursor" and _is_connection(node.func.value, single, multi):
            hits.append(f"{filename}:{node.lineno}: connection.cursor(")
    return hits


def app_sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def test_no_app_code_writes_around_the_history() -> None:
    hits = [
        hit
        for path in app_sources()
        if path.relative_to(ROOT).as_posix() not in EXEMPT
        for hit in forbidden_calls(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]

    assert hits == []


def test_the_scan_covers_the_apps_and_skips_migrations() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in app_sources()}

    assert {
        "cases/services/applications.py",
        "workflows/engine.py",
        "cases/trail/chain.py",
        "web/applications/views.py",
    } <= scanned
    assert scanned >= EXEMPT
    assert not any("/migrations/" in name for name in scanned)


@pytest.mark.parametrize("exempt", sorted(EXCEPTIONS))
def test_each_exception_still_needs_its_exemption(exempt: str) -> None:
    source = (ROOT / exempt).read_text(encoding="utf-8")
    assert forbidden_calls(source, exempt), f"{exempt} writes nothing around; drop it"


@pytest.mark.parametrize("exempt", sorted(GUARDS))
def test_the_exempt_modules_still_define_the_guards(exempt: str) -> None:
    """The exemption is not dead: these modules define the refusing methods."""
    source = (ROOT / exempt).read_text(encoding="utf-8")
    tree = ast.parse(source)
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name in FORBIDDEN_METHODS
    }

    assert defined, f"{exempt} no longer defines a guard; drop it from EXEMPT"


@pytest.mark.parametrize(
    "source",
    [
        "Application.objects.bulk_create([])",
        "qs.bulk_update(objs, ['title'])",
        "Application.objects.raw('SELECT 1')",
        "qs.extra(where=['1=1'])",
        "super().bulk_create(objs)",
        "from django.db import connection\nwith connection.cursor() as c:\n    pass",
        "from django.db import connection as db\ndb.cursor()",
        "from django.db import connections\nconnections['default'].cursor()",
        "import django.db\ndjango.db.connection.cursor()",
        "from django.db import transaction\ntransaction.get_connection().cursor()",
        "def f():\n    return [x.raw(y) for x in z]",
    ],
)
def test_the_scan_finds_each_forbidden_call(source: str) -> None:
    assert len(forbidden_calls(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "# Application.objects.bulk_create([]) is refused\nx = 1",
        '"""Never call .bulk_update( or connection.cursor( here."""',
        "message = 'use .raw( sparingly'",
        "def bulk_create(self, objs):\n    return objs",
        "paginator.cursor()",
        "fn = qs.bulk_create",
        "queryset.update(status='sent')",
    ],
)
def test_the_scan_ignores_mentions_that_are_not_calls(source: str) -> None:
    assert forbidden_calls(source) == []
