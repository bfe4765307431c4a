"""An installation of the current release upgrades with ``manage.py migrate`` alone.

For SQLite and PostgreSQL: check out the release (``git archive RELEASE``), build a
database with ITS migrations, fill it with ITS code (``seed_demo``, then the lives in
``fill_release.py``), and snapshot every table. Then run THIS tree's ``migrate`` on
the same database and prove that
- every table of the release is still there with the same rows (the values of every
  column it had; new columns and new tables may appear),
- ``verify_trail`` of this tree checks every transition record and the trail verifies,
- ``makemigrations --check`` finds nothing (the models match the migrated database),
- on PostgreSQL, the tables that were append-only still refuse UPDATE and DELETE.

A table renamed on purpose goes in ``RENAMED``; nothing else may disappear.
See docs/upgrading.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from ..conftest import on_postgres

# The release installations run today: the database this tree must upgrade.
RELEASE = "c04b4795d36bb9a92d3978eaf2c1827b4eb20b3a"

# Old table name -> new table name, for a table renamed on purpose. None today.
RENAMED: dict[str, str] = {}
# Django's own bookkeeping, which a migration (or post_migrate) may add to. Their rows of
# the release must all still be there, unchanged; new rows may appear beside them.
GROWS = {"django_migrations", "django_content_type", "auth_permission"}
# SQLite's AUTOINCREMENT counters: internal, and rewritten when a migration rebuilds a table.
INTERNAL = {"sqlite_sequence"}
TRANSITION_RECORDS = "workflows_transitionrecord"
APPLICATIONS = "cases_application"

ROOT = Path(__file__).resolve().parents[2]
FILL = Path(__file__).resolve().parent / "fill_release.py"
TIMEOUT = 900  # seconds, per command; a slow shared machine migrates in well under a minute


# --- the two databases --------------------------------------------------------------------


@dataclass
class Database:
    vendor: str
    url: str  # DATABASE_URL for the commands; "" = the SQLite default under PULJEFLOW_VAR_DIR
    sqlite_path: Path | None = None

    def connect(self) -> Any:
        if self.sqlite_path is not None:
            import sqlite3

            return sqlite3.connect(self.sqlite_path)
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def tables(self, conn: Any) -> set[str]:
        if self.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        return {name for (name,) in conn.execute(sql).fetchall()} - INTERNAL

    def columns(self, conn: Any, table: str) -> list[str]:
        if self.vendor == "sqlite":
            rows = conn.execute(f"PRAGMA table_info({quote(table)})").fetchall()
            return sorted(row[1] for row in rows)
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [table],
        ).fetchall()
        return sorted(name for (name,) in rows)

    def rows(self, conn: Any, table: str, columns: list[str]) -> list[str]:
        """One digest per row over the given columns (PostgreSQL: their text form), sorted."""
        cast = "::text" if self.vendor == "postgresql" else ""
        select = ", ".join(f"{quote(c)}{cast}" for c in columns)
        rows = conn.execute(f"SELECT {select} FROM {quote(table)}").fetchall()  # noqa: S608
        return sorted(hashlib.sha256(repr(tuple(row)).encode()).hexdigest() for row in rows)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


Snapshot = dict[str, tuple[list[str], list[str]]]  # table -> (columns, sorted row digests)


def snapshot(db: Database) -> Snapshot:
    conn = db.connect()
    try:
        result = {}
        for table in sorted(db.tables(conn)):
            columns = db.columns(conn, table)
            result[table] = (columns, db.rows(conn, table, columns))
        return result
    finally:
        conn.close()


def differences(db: Database, before: Snapshot) -> list[str]:
    """What the upgrade lost or changed, table by table (empty: nothing)."""
    problems = []
    conn = db.connect()
    try:
        tables = db.tables(conn)
        for old, (columns, rows) in before.items():
            table = RENAMED.get(old, old)
            if table not in tables:
                problems.append(f"{old}: the table is gone ({len(rows)} rows)")
                continue
            missing = sorted(set(columns) - set(db.columns(conn, table)))
            if missing:
                problems.append(f"{table}: columns gone: {', '.join(missing)}")
                continue
            after = db.rows(conn, table, columns)
            if old in GROWS:
                lost = Counter(rows) - Counter(after)
                if lost:
                    problems.append(f"{table}: {sum(lost.values())} of {len(rows)} rows lost")
            elif after != rows:
                lost = Counter(rows) - Counter(after)
                new = Counter(after) - Counter(rows)
                problems.append(
                    f"{table}: {len(rows)} rows before, {len(after)} after; "
                    f"{sum(lost.values())} lost or changed, {sum(new.values())} new or changed"
                )
    finally:
        conn.close()
    return problems


def append_only_tables(db: Database) -> set[str]:
    conn = db.connect()
    try:
        rows = conn.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'puljeflow_append_only' AND t.tgenabled = 'O'"
        ).fetchall()
        return {name for (name,) in rows}
    finally:
        conn.close()


def changes_allowed(db: Database, tables: set[str]) -> list[str]:
    """Try an UPDATE and a DELETE on every non-empty table given; each must be refused."""
    import psycopg

    allowed = []
    conn = db.connect()
    try:
        for table in sorted(tables):
            if conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0] == 0:  # noqa: S608
                continue  # a row trigger has nothing to refuse
            column = quote(db.columns(conn, table)[0])
            for statement in (
                f"UPDATE {quote(table)} SET {column} = {column}",  # noqa: S608
                f"DELETE FROM {quote(table)}",  # noqa: S608
            ):
                try:
                    with conn.transaction():
                        conn.execute(statement)
                        raise psycopg.Rollback()  # allowed: undo it, and report it below
                except psycopg.errors.InsufficientPrivilege as error:
                    if "append-only" in str(error):
                        continue
                allowed.append(statement)
    finally:
        conn.close()
    return allowed


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    yield Database("sqlite", "", tmp_path / "var" / "puljeflow.sqlite3")


@pytest.fixture
def postgresql() -> Iterator[Database]:
    """A fresh database beside the test run's own: <its name>_upgrade, dropped afterwards."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/") + "_upgrade"
    url = urlunsplit(parts._replace(path="/" + name))
    admin = urlunsplit(parts._replace(path="/postgres"))
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield Database("postgresql", url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


# --- the release and the commands ---------------------------------------------------------


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release's tree, from this repository's own history (CI: a full clone)."""

    def git(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, **kwargs)

    if shutil.which("git") is None or git("rev-parse", "--git-dir").returncode != 0:
        pytest.fail(f"{ROOT} is not a git checkout: the upgrade test needs the release {RELEASE}")
    if git("cat-file", "-e", f"{RELEASE}^{{commit}}").returncode != 0:
        pytest.fail(
            f"The release {RELEASE} is not in this clone's history: the upgrade test builds "
            "its database with the release's code. Fetch it (git fetch --unshallow, or a "
            "clone without --depth), or move RELEASE in tests/upgrade/test_upgrade.py."
        )
    tree = tmp_path_factory.mktemp("release")
    archive = git("archive", "--format=tar", RELEASE, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    shutil.copy(FILL, tree / FILL.name)
    return tree


def environment(db: Database, var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # No test database, no shared Redis, no import path into this tree.
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "PULJEFLOW_TEST_SQLITE"}
    }
    env.update(
        PULJEFLOW_VAR_DIR=str(var_dir),
        PULJEFLOW_FAST_PASSWORDS="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        # As with a worker: notifications are delivered and letters printed right away.
        CELERY_TASK_ALWAYS_EAGER="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    if db.url:
        env["DATABASE_URL"] = db.url
    return env


def run(cwd: Path, env: dict[str, str], *args: str) -> str:
    """Run ``python *args`` in ``cwd`` with the test's own interpreter; fail with its output."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if done.returncode != 0:
        where = "the release" if cwd != ROOT else "this tree"
        pytest.fail(
            f"`{' '.join(args)}` with {where} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-5000:]}\n--- stderr\n{done.stderr[-5000:]}",
            pytrace=False,
        )
    return done.stdout


# --- the test -----------------------------------------------------------------------------


# Each database in its own run of make test: SQLite in pytest-sqlite, PostgreSQL in
# pytest-postgres (where the SQLite upgrade would only repeat the first run's minute).
on_sqlite = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the SQLite upgrade runs in the SQLite run"
)


@pytest.mark.parametrize(
    "vendor",
    [
        pytest.param("sqlite", marks=on_sqlite),
        pytest.param("postgresql", marks=[pytest.mark.postgres, on_postgres]),
    ],
)
def test_a_release_database_upgrades_with_migrate_alone(
    vendor: str, release: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(vendor)
    env = environment(db, tmp_path / "var")

    # The release builds and fills its database, and its own trail verifies.
    run(release, env, "manage.py", "migrate", "--no-input", "-v", "0")
    run(release, env, "manage.py", "seed_demo")
    assert "the trail verifies" in run(release, env, FILL.name)
    before = snapshot(db)
    records, applications = len(before[TRANSITION_RECORDS][1]), len(before[APPLICATIONS][1])
    assert records >= 30 and applications >= 9, (records, applications)
    if vendor == "postgresql":
        guarded = append_only_tables(db)
        assert TRANSITION_RECORDS in guarded
        assert any(name.startswith("cases_historical") for name in guarded), guarded

    # This tree upgrades it.
    run(ROOT, env, "manage.py", "migrate", "--no-input", "-v", "0")

    assert differences(db, before) == []
    summary = run(ROOT, env, "manage.py", "verify_trail")
    checked = re.search(r"(\d+) applications, (\d+) transition records checked", summary)
    assert checked, summary
    assert (int(checked[1]), int(checked[2])) == (applications, records), summary
    assert "the trail verifies" in summary
    run(ROOT, env, "manage.py", "makemigrations", "--check", "--dry-run", "-v", "0")
    if vendor == "postgresql":
        now_guarded = append_only_tables(db)
        assert {RENAMED.get(t, t) for t in guarded} <= now_guarded, guarded - now_guarded
        assert changes_allowed(db, now_guarded) == []
