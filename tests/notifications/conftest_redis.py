"""A real Redis and real Celery processes for test_worker_kills.py.

``cluster`` starts a private ``redis-server`` on a free port in a temporary
directory (no persistence: stopping it loses every message, the worst case), and
starts and kills ``celery`` worker and beat processes that share the test's
PostgreSQL database. Each process runs in its own process group and is killed by
its id when the test ends. The test process itself publishes to the same Redis,
with the Redis options from settings.

Imported by the test module (the fixtures are registered there under their names).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app
from notifications import services

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"

# Short figures, so that a lease or a visibility timeout runs out within the test.
FAST = {
    "NOTIFICATIONS_LEASE_SECONDS": "3",
    "NOTIFICATIONS_SWEEP_SECONDS": "1",
    "PULJEFLOW_BROKER_VISIBILITY_TIMEOUT": "4",
    "PULJEFLOW_BROKER_RESTORE_INTERVAL": "1",
    "PULJEFLOW_BROKER_RECONNECT_INTERVAL": "1",
    "PULJEFLOW_BEAT_LOCK_SECONDS": "3",
    "NOTIFICATIONS_REMIND_SECONDS": "1",
}


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def answers() -> bool:
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_for(answers, 10, "redis-server to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def queued(self, queue: str = "celery") -> list[dict[str, Any]]:
        """The messages waiting in a queue, oldest first (kombu pushes on the left)."""
        return [json.loads(raw) for raw in reversed(self.client().lrange(queue, 0, -1))]

    def unacked(self, task: str = "notifications.tasks.deliver") -> int:
        """Messages of ``task`` handed to a worker and not yet acknowledged."""
        held = (json.loads(raw)[0] for raw in self.client().hvals("unacked"))
        return sum(1 for message in held if message["headers"]["task"] == task)


class CeleryProcess:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(CELERY), *args],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as one below
            )
        self.pid = self.process.pid

    def children(self) -> list[int]:
        """The pool processes: children of the main process."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                # "pid (comm) state ppid ..." — comm may hold spaces; split after ")".
                if int(stat.rpartition(")")[2].split()[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def group_alive(self) -> bool:
        """Whether any process of its group still runs (a zombie does not count)."""
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rpartition(")")[2].split()
                except OSError:
                    continue
                if int(fields[2]) == self.pid and fields[0] != "Z":  # [2]: process group
                    return True
        return False

    def kill_main(self) -> None:
        """SIGKILL the main process only; its pool processes die with it (PDEATHSIG)."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(10)

    def kill(self) -> None:
        if self.group_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """A warm shutdown (what systemd or Ctrl-C does), then SIGKILL if it lingers."""
        if self.group_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(15)
        self.kill()


class Cluster:
    """One Redis, the Celery processes started on it, and what they wrote."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.control = directory / "control"
        self.control.mkdir()
        self.mailbox = directory / "mailbox.jsonl"
        self.redis = RedisServer(directory)
        self.processes: list[CeleryProcess] = []

    def env(self, **extra: str) -> dict[str, str]:
        db = connection.settings_dict
        database_url = "postgres://{}:{}@{}:{}/{}".format(
            quote(db["USER"] or "", safe=""),
            quote(str(db["PASSWORD"] or ""), safe=""),
            db["HOST"] or "127.0.0.1",
            db["PORT"] or 5432,
            db["NAME"],  # the test database
        )
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "NOTIFICATIONS_", "PULJEFLOW_", "PYTEST_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url,
            REDIS_URL=self.redis.url,
            EMAIL_BACKEND="tests.notifications.backends.JsonlEmailBackend",
            PYTHONPATH=str(REPO),
            PULJEFLOW_VAR_DIR=str(self.directory / "var"),
            PULJEFLOW_TEST_MAILBOX=str(self.mailbox),
            PULJEFLOW_TEST_CONTROL_DIR=str(self.control),
            PULJEFLOW_FAST_PASSWORDS="1",
            **FAST,
        )
        env.update(extra)
        return env

    def worker(self, name: str, *, wait: bool = True, **env: str) -> CeleryProcess:
        """``celery worker``: prefork, one pool process, the test hooks included."""
        worker = CeleryProcess(
            [
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--include=tests.notifications.worker_hooks",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            self.env(**env),
            self.directory / f"{name}.log",
        )
        self.processes.append(worker)
        if wait:
            ready = self.control / f"ready-{name}@{socket.gethostname()}"
            wait_for(ready.exists, 30, f"worker {name} to be ready ({worker.log})")
        return worker

    def beat(self, name: str = "beat", **env: str) -> CeleryProcess:
        beat = CeleryProcess(
            [
                "-A",
                "tests.notifications.worker_hooks",
                "beat",
                "--loglevel=INFO",
                "--max-interval=1",
                f"--schedule={self.directory / name}-schedule",
            ],
            self.env(**env),
            self.directory / f"{name}.log",
        )
        self.processes.append(beat)
        return beat

    def mail(self) -> list[dict[str, Any]]:
        if not self.mailbox.exists():
            return []
        return [json.loads(line) for line in self.mailbox.read_text().splitlines()]

    def killed_pid(self) -> int | None:
        """The process that passed the kill point (and died or waited there), if any."""
        killed = self.control / "killed"
        return int(killed.read_text()) if killed.exists() else None

    def close(self) -> None:
        for process in self.processes:
            process.kill()
        self.redis.stop()


def _publish_to(url: str | None, options: dict[str, Any] | None) -> None:
    """Point this process's Celery app at another broker (pools rebuilt on next use)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_transport_options = options


@pytest.fixture(name="cluster")
def cluster_fixture(transactional_db: None, tmp_path: Path) -> Iterator[Cluster]:
    # After transactional_db, so torn down before it: no worker is left connected
    # when the tables are flushed.
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (CI installs it: apt-get install redis-server)")
    cluster = Cluster(tmp_path)
    cluster.redis.start()
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    _publish_to(cluster.redis.url, dict(settings.PULJEFLOW_REDIS_TRANSPORT_OPTIONS))
    app.conf.task_always_eager = False
    services._broker_down_until = 0.0
    try:
        yield cluster
    finally:
        cluster.close()
        _publish_to(saved[0], saved[1])
        app.conf.task_always_eager = saved[2]
        services._broker_down_until = 0.0
        # The workers' connections are gone with them; ours must go before the test
        # database is flushed and, at the end of the session, dropped.
        connection.close()


@pytest.fixture(name="queued")
def queued_fixture() -> list[int]:
    """Overrides the notifications conftest's fake broker: these tests publish for real."""
    return []


@pytest.fixture(name="_celery_in_process")
def celery_in_process_fixture() -> None:
    """Overrides tests/conftest.py's eager Celery: delivery happens in the workers."""
