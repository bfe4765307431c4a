"""The default database's settings: from ``DATABASE_URL``, or SQLite under var/.

Whichever way a database is named, it gets the options that hold under load (issue 15):

SQLite — every atomic block takes the write lock when it starts (``IMMEDIATE``:
SQLite ignores SELECT ... FOR UPDATE, so a transition re-reading its case inside the
transaction could otherwise race another one, or fail to upgrade its read lock);
a writer waits up to ``timeout`` seconds for the lock instead of failing at once; and
WAL, so readers never block the writer nor the writer the readers, with
``synchronous=NORMAL`` (durable at each checkpoint, consistent always: what WAL needs).

PostgreSQL — a bounded pool of connections per process (psycopg's, through Django),
so that N server processes hold at most N × ``PULJEFLOW_DB_POOL_MAX`` connections,
however many requests arrive; a request waits up to ``PULJEFLOW_DB_POOL_TIMEOUT``
seconds for one. A pool and persistent connections exclude each other, so
``CONN_MAX_AGE`` is 0. ``PULJEFLOW_DB_POOL_MAX=0`` turns the pool off (e.g. behind
PgBouncer): one connection per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"

SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def default_database(environ: Mapping[str, str], var_dir: Path) -> dict[str, Any]:
    """``DATABASES["default"]`` for this environment."""
    url = environ.get("DATABASE_URL", "")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_health_checks=True))
    else:
        config = {"ENGINE": SQLITE, "NAME": str(var_dir / "puljeflow.sqlite3")}
    options = dict(config.get("OPTIONS") or {})
    if config["ENGINE"] == SQLITE:
        config["OPTIONS"] = {**options, **SQLITE_OPTIONS}
        config["TEST"] = {"NAME": environ.get("PULJEFLOW_TEST_SQLITE")}
    elif config["ENGINE"] == POSTGRESQL:
        pool_max = int(environ.get("PULJEFLOW_DB_POOL_MAX", "8"))
        config["CONN_MAX_AGE"] = 0
        if pool_max > 0:
            options["pool"] = {
                "min_size": min(int(environ.get("PULJEFLOW_DB_POOL_MIN", "1")), pool_max),
                "max_size": pool_max,
                "timeout": float(environ.get("PULJEFLOW_DB_POOL_TIMEOUT", "10")),
            }
        config["OPTIONS"] = options
    return config
