"""The database settings hold under load however the database is named (issue 15, item 6).

Each check starts Django afresh in a subprocess with the environment under test, so it
proves what ``config.settings`` builds from it, on a connection actually opened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from ..conftest import on_postgres

ROOT = Path(settings.BASE_DIR)

SQLITE_PROBE = """
import json, sqlite3, django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    answers = {
        pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
        for pragma in ("journal_mode", "synchronous", "busy_timeout")
    }
# IMMEDIATE: an atomic block that has only read already holds the write lock.
with transaction.atomic():
    connection.cursor().execute("SELECT count(*) FROM sqlite_master")
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        answers["write_lock_taken_at_begin"] = False
    except sqlite3.OperationalError:
        answers["write_lock_taken_at_begin"] = True
    other.close()
answers["name"] = connection.settings_dict["NAME"]
print(json.dumps(answers))
"""

POSTGRES_PROBE = """
import json, threading, time, django
django.setup()
from django.db import connection
got, refused, release = [], [], threading.Event()

def request():
    try:
        connection.ensure_connection()
        got.append(1)
        release.wait(10)
    except Exception as error:
        refused.append(str(error))
    finally:
        connection.close()

threads = [threading.Thread(target=request) for _ in range(3)]
for thread in threads:
    thread.start()
time.sleep(2.5)  # longer than the pool's timeout: the third request has given up
release.set()
for thread in threads:
    thread.join()
print(json.dumps({
    "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
    "pool": connection.settings_dict["OPTIONS"]["pool"],
    "got": len(got),
    "refused": refused,
}))
"""


def _probe(script: str, **env: str) -> dict[str, Any]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "PULJEFLOW_", "PYTEST_"))
    }
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answers


@pytest.mark.parametrize("named_by", ["default", "url"])
def test_sqlite_gets_immediate_transactions_a_busy_timeout_and_wal(
    tmp_path: Path, named_by: str
) -> None:
    if named_by == "url":
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
        expected = tmp_path / "x.sqlite3"
    else:
        env = {"PULJEFLOW_VAR_DIR": str(tmp_path)}
        expected = tmp_path / "puljeflow.sqlite3"

    answers = _probe(SQLITE_PROBE, **env)

    assert answers == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": 20000,
        "write_lock_taken_at_begin": True,
        "name": str(expected),
    }


@on_postgres
def test_postgresql_connections_come_from_a_bounded_pool(db: Any) -> None:
    """Three requests at once against a pool of two: two get a connection, the third waits
    the pool's timeout and is refused — the server is never asked for a third."""
    own = connection.settings_dict
    url = "postgres://{}:{}@{}:{}/{}".format(
        quote(own["USER"] or "", safe=""),
        quote(str(own["PASSWORD"] or ""), safe=""),
        own["HOST"] or "127.0.0.1",
        own["PORT"] or 5432,
        own["NAME"],
    )

    answers = _probe(
        POSTGRES_PROBE,
        DATABASE_URL=url,
        PULJEFLOW_DB_POOL_MAX="2",
        PULJEFLOW_DB_POOL_TIMEOUT="1",
    )

    assert answers["conn_max_age"] == 0
    assert answers["pool"] == {"min_size": 1, "max_size": 2, "timeout": 1.0}
    assert answers["got"] == 2
    assert len(answers["refused"]) == 1
    assert "couldn't get a connection after 1.00 sec" in answers["refused"][0]


def test_the_postgresql_pool_is_on_by_default_and_can_be_turned_off() -> None:
    from config.database import default_database

    url = "postgres://u:p@db.example:5432/puljeflow"
    pooled = default_database({"DATABASE_URL": url}, ROOT / "var")
    unpooled = default_database({"DATABASE_URL": url, "PULJEFLOW_DB_POOL_MAX": "0"}, ROOT)

    assert pooled["CONN_MAX_AGE"] == 0
    assert pooled["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10.0}
    assert unpooled["CONN_MAX_AGE"] == 0 and "pool" not in unpooled["OPTIONS"]
