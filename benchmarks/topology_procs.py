"""The production topology's processes, each in its own process group, logs in one folder.

Used by benchmarks/topology.py: PostgreSQL (scripts/postgres-up, the machine's cluster)
and Redis (scripts/redis-up on a port of the run's own) are services; the two web
processes (gunicorn), the two Celery workers and the one beat are children started here.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def redis_start(port: int) -> str:
    """scripts/redis-up on the run's port (no persistence: a restart loses every message)."""
    done = subprocess.run(  # noqa: S603 (our own script)
        [str(ROOT / "scripts" / "redis-up")],
        env={**os.environ, "REDIS_PORT": str(port)},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def redis_stop(port: int) -> None:
    subprocess.run(  # noqa: S603
        ["redis-cli", "-p", str(port), "shutdown", "nosave"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    for _ in range(50):
        probe = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(port), "ping"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        if probe.returncode != 0:
            return
        time.sleep(0.1)


@dataclass
class Topology:
    """Two web processes, two workers, one beat, with the environment ``env``."""

    env: dict[str, str]
    logs: Path
    web_workers: int = 2
    web_threads: int = 4
    worker_concurrency: int = 2
    ports: list[int] = field(default_factory=list)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port(), free_port()]
        for n, port in enumerate(self.ports, start=1):
            self._spawn(
                f"web{n}",
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi:application",
                    "--bind",
                    f"{HOST}:{port}",
                    "--workers",
                    str(self.web_workers),
                    "--threads",
                    str(self.web_threads),
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "15",
                    "--no-control-socket",
                    # Above every simulated user's think time (1–3 s, the auditors' 20–40 s;
                    # nginx's own default for browsers is 75 s): gunicorn then never closes a
                    # kept-alive connection just as a user sends on it (the race behind the
                    # earlier runs' requests without an answer: 13–15 with 2 s, 2 with 5 s;
                    # a proxy in front of a real deployment keeps its own connections,
                    # docs/deployment.md).
                    "--keep-alive",
                    "75",
                    "--access-logfile",
                    "-",
                    "--error-logfile",
                    "-",
                ],
            )
        for n in (1, 2):
            self._spawn(
                f"worker{n}",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-n",
                    f"worker{n}@%h",
                    f"--concurrency={self.worker_concurrency}",
                    "--loglevel=INFO",
                ],
            )
        self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.logs / 'celerybeat-schedule'}",
            ],
        )

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(  # noqa: S603 (our own virtualenv's programs)
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def hosts(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.ports]

    def wait_ready(self, timeout: float = 90) -> None:
        until = time.monotonic() + timeout
        for host in self.hosts:
            while True:
                try:
                    with urllib.request.urlopen(f"{host}/login/", timeout=5) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > until:
                    raise RuntimeError(f"{host} did not come up; see {self.logs}")
                time.sleep(0.5)

    def kill(self, name: str) -> None:
        """SIGKILL a process's whole group (a worker: its main process and its pool)."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)

    def stop(self) -> None:
        live = [p for p in self.processes.values() if p.poll() is None]
        for process in live:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        until = time.monotonic() + 20
        for process in live:
            try:
                process.wait(timeout=max(0.1, until - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def sweeps(self) -> dict[str, float]:
        """The outbox sweeps the workers ran: how many, rows delivered, seconds spent."""
        done = re.compile(r"notifications\.tasks\.sweep\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)")
        runs = [
            (float(seconds), int(rows))
            for path in sorted(self.logs.glob("worker*.log"))
            for seconds, rows in done.findall(path.read_text(errors="replace"))
        ]
        return {
            "runs": len(runs),
            "rows": sum(rows for _, rows in runs),
            "seconds": round(sum(seconds for seconds, _ in runs), 1),
        }

    def log_errors(self) -> dict[str, int]:
        """Tracebacks in each process's log (text logs: PULJEFLOW_LOG_FORMAT=text)."""
        return {
            path.stem: path.read_text(errors="replace").count("Traceback")
            for path in sorted(self.logs.glob("*.log"))
        }
