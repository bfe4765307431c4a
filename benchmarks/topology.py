#!/usr/bin/env python
"""The production topology under load (issue 19, goal 5): ``make bench`` runs it.

    DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/topology.py
    … benchmarks/topology.py --users 10 --duration 60 --runs steady    # a short try

For each run it recreates the database ``puljeflow_topo`` (next to the one DATABASE_URL
names), starts a Redis of its own (scripts/redis-up on a free port, no persistence),
prepares the data (migrate, seed_demo, collectstatic, benchmarks/topology_scene.py) and
starts the topology as separate processes, each in its own process group, with the
production settings (config.settings_production; the environment is ``environment``):
2 web processes (gunicorn, ``--web-workers`` × ``--web-threads``), 2 Celery workers, 1
beat. Then locust, headless (benchmarks/locustfile.py: ``--users`` users for
``--duration`` seconds), spreads its users over both web processes. Runs:

- ``steady``: nothing happens to the topology;
- ``chaos``: a third of the way in, one Celery worker's process group is killed (SIGKILL:
  its main process and its pool; it is not restarted); half-way, Redis is shut down
  without saving and started again ``--redis-down`` seconds later (every queued message
  is gone).

After locust stops, the outbox gets ``--drain`` seconds at most to empty (the beat's
sweep delivers what was lost), the processes are stopped and it checks: the trail
verifies (``manage.py verify_trail``), every e-mail row delivered exactly once (the
file-based e-mail backend's folder against the outbox, benchmarks/topology_checks.py),
no case with two transitions from the same state. Logs and locust's CSV:
var/topology/<run>/; results: benchmarks/results/topology.json; goals printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.topology_procs import ROOT, Topology, free_port, redis_start, redis_stop

RESULTS = ROOT / "benchmarks" / "results" / "topology.json"
VAR = ROOT / "var" / "topology"
DB = "puljeflow_topo"
TEMPLATE = "puljeflow_topo_prepared"
APP_ROLE = "puljeflow_app"  # its development password is its name (scripts/postgres-up)
PASSWORD = "puljeflow-demo"  # noqa: S105 (the demo password; seed_demo sets it)
PY = sys.executable


def database(name: str, template: str = "") -> str:
    """Recreate database ``name`` (a copy of ``template`` if given) next to DATABASE_URL's."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL (make bench does: scripts/postgres-up).")
    import psycopg

    admin = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template != "-":
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def as_app(url: str) -> str:
    """The same database as the application's login (scripts/postgres-up makes it)."""
    parts = urlsplit(url)
    netloc = f"{APP_ROLE}:{APP_ROLE}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def environment(*, secret: str, database: str, redis: str, mail: Path, pool: int) -> dict[str, str]:
    """What every process of the topology gets (docs/deployment.md lists it)."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DATABASE_URL", "PULJEFLOW_", "DJANGO_", "REDIS_URL", "EMAIL_", "NOTIFICATIONS_")
        )
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        # One key for the preparation and every run: the trail's keys derive from it.
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback, as behind a TLS-terminating proxy; no redirect to HTTPS.
        "PULJEFLOW_SSL_REDIRECT": "0",
        "PULJEFLOW_LOG_FORMAT": "text",
        "DATABASE_URL": database,
        "PULJEFLOW_DB_POOL_MAX": str(pool),
        "REDIS_URL": redis,
        "PULJEFLOW_VAR_DIR": str(VAR / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        # Letters by e-mail, so that every message lands in the one folder counted.
        "PULJEFLOW_DIGITAL_POST": "off",
        # A killed worker's claimed row is due again after 60 s, not 300 s
        # (docs/notifications.md: "could be lowered to about 60 s").
        "NOTIFICATIONS_LEASE_SECONDS": "60",
        # The outbox sweep every 15 s, not 60 s: after Redis lost its queue the sweep alone
        # delivers the backlog, 10 s of work per run (docs/benchmarks.md, the finding).
        "NOTIFICATIONS_SWEEP_SECONDS": "15",
    }


def django(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run one of our scripts with the environment; its stderr to var/topology/commands.log."""
    with (VAR / "commands.log").open("a") as log:
        done = subprocess.run(  # noqa: S603 (our own interpreter and scripts)
            [PY, *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE if capture else log,
            stderr=log,
            text=True,
        )
    return done.stdout if capture else ""


def checks(env: dict[str, str], mail: Path) -> dict[str, Any]:
    out = django(env, "benchmarks/topology_checks.py", str(mail), capture=True)
    return dict(json.loads(out.strip().splitlines()[-1]))


def locust_stats(prefix: Path, elapsed: float) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            kinds[row["Name"] if row["Name"] != "Aggregated" else "all"] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": int(float(row["50%"] or 0)),
                "p95_ms": int(float(row["95%"] or 0)),
                "p99_ms": int(float(row["99%"] or 0)),
            }
    failures: dict[str, int] = {}
    server_errors = 0
    with open(f"{prefix}_failures.csv", newline="") as rows:
        for row in csv.DictReader(rows):
            n = int(row["Occurrences"])
            failures[f"{row['Name']}: {row['Error'][:120]}"] = n
            status = re.search(r"'(\d{3}) for ", row["Error"])
            if status is None or int(status.group(1)) >= 500:
                server_errors += n  # a 5xx, or no answer at all
    return {"kinds": kinds, "failures": failures, "server_errors": server_errors}


def chaos(
    topology: Topology, redis_port: int, duration: float, down: float, log: list[str]
) -> None:
    started = time.monotonic()

    def at(share: float) -> None:
        time.sleep(max(0.0, started + share * duration - time.monotonic()))

    at(1 / 3)
    topology.kill("worker2")
    log.append(f"{time.monotonic() - started:.0f} s: worker2 killed (SIGKILL, its process group)")
    at(1 / 2)
    redis_stop(redis_port)
    log.append(f"{time.monotonic() - started:.0f} s: Redis shut down (nosave)")
    time.sleep(down)
    redis_start(redis_port)
    log.append(f"{time.monotonic() - started:.0f} s: Redis started again (empty)")


def prepare(secret: str, pool: int, users: int) -> Path:
    """The database every run starts from (TEMPLATE): migrate, seed_demo, collectstatic,
    the scene. No Redis answers meanwhile: the scene's notifications wait in the outbox
    for the first run's sweep, as after an outage."""
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env = environment(
        secret=secret,
        database=database(TEMPLATE),
        redis=f"redis://127.0.0.1:{free_port()}/0",
        mail=VAR / "prepare-mail",
        pool=pool,
    )
    print(f"preparing {TEMPLATE}: migrate, seed_demo, collectstatic, the scene …", flush=True)
    django(env, "manage.py", "migrate", "--no-input", "-v", "0")
    django(env, "manage.py", "seed_demo", "--password", PASSWORD, capture=True)
    django(env, "manage.py", "collectstatic", "--no-input", "-v", "0")
    scene = VAR / "scene.json"
    # A staff account per simulated staff user at most: a TOTP code is accepted once.
    accounts = [f"--officers={users // 4 + 2}", f"--auditors={users // 8 + 2}"]
    accounts.append(f"--associations={users // 2 + 2}")
    out = django(
        env, "benchmarks/topology_scene.py", "--pdf", str(VAR / "a.pdf"), *accounts, capture=True
    )
    scene.write_text(out.strip().splitlines()[-1])
    return scene


def run(name: str, args: argparse.Namespace, secret: str, scene: Path) -> dict[str, Any]:
    run_dir = VAR / name
    (run_dir / "mail").mkdir(parents=True)
    redis_port = free_port()
    try:
        env = environment(
            secret=secret,
            database=database(DB, template=TEMPLATE),
            redis=redis_start(redis_port),
            mail=run_dir / "mail",
            pool=args.web_threads,
        )
        return drive(name, args, env, run_dir, scene, redis_port)
    finally:
        redis_stop(redis_port)


def drive(
    name: str,
    args: argparse.Namespace,
    env: dict[str, str],
    run_dir: Path,
    scene: Path,
    redis_port: int,
) -> dict[str, Any]:
    # The processes log in as the application's role, which owns nothing (README, "Database
    # roles"); migrate, the scene and the checks ran as the owner.
    app = {**env, "DATABASE_URL": as_app(env["DATABASE_URL"])}
    topology = Topology(app, run_dir, web_workers=args.web_workers, web_threads=args.web_threads)
    events: list[str] = []
    result: dict[str, Any] = {"run": name}
    try:
        topology.start()
        topology.wait_ready()
        print(
            f"[{name}] {args.users} users for {args.duration:.0f} s on {topology.hosts} …",
            flush=True,
        )
        load = {
            **env,
            "PULJEFLOW_TOPOLOGY_SCENE": str(scene),
            "PULJEFLOW_TOPOLOGY_HOSTS": ",".join(topology.hosts),
            "PULJEFLOW_TOPOLOGY_REFUSALS": str(run_dir / "refusals.json"),
        }
        trouble = None
        if name == "chaos":
            trouble = threading.Thread(
                target=chaos, args=(topology, redis_port, args.duration, args.redis_down, events)
            )
            trouble.start()
        started = time.monotonic()
        with (run_dir / "locust.log").open("w") as out:
            subprocess.run(  # noqa: S603
                [
                    str(ROOT / ".venv" / "bin" / "locust"),
                    "-f",
                    "benchmarks/locustfile.py",
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    f"{int(args.duration)}s",
                    "--host",
                    topology.hosts[0],
                    "--csv",
                    str(run_dir / "locust"),
                    "--stop-timeout",
                    "30",
                    "--only-summary",
                ],
                cwd=ROOT,
                env=load,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        elapsed = time.monotonic() - started
        if trouble is not None:
            trouble.join()
        result.update(locust_stats(run_dir / "locust", elapsed))
        refusals = run_dir / "refusals.json"
        result["expected_refusals"] = json.loads(refusals.read_text()) if refusals.exists() else {}
        result["events"] = events
        print(f"[{name}] load done; waiting up to {args.drain:.0f} s for the outbox …", flush=True)
        until = time.monotonic() + args.drain
        while True:
            found = checks(env, run_dir / "mail")
            if found["mail"]["undelivered"] == 0 or time.monotonic() > until:
                break
            time.sleep(10)
        result["drain_s"] = round(args.drain - max(0.0, until - time.monotonic()))
    finally:
        topology.stop()
    verified = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [PY, "manage.py", "verify_trail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    result["verify_trail"] = {
        "returncode": verified.returncode,
        "output": (verified.stdout + verified.stderr)[-2000:],
    }
    result.update(checks(env, run_dir / "mail"))
    result["tracebacks_in_logs"] = topology.log_errors()
    result["sweeps"] = topology.sweeps()
    return result


def goals(result: dict[str, Any]) -> list[dict[str, Any]]:
    label = (
        "load test" if result["run"] == "steady" else "load test (worker killed, Redis restarted)"
    )
    errors = sum(result["failures"].values())
    mail, moves = result["mail"], result["transitions"]
    return [
        {
            "goal": f"{label}: 5xx / errors",
            "measured": f"{result['server_errors']} 5xx or no answer, {errors} errors in {result['kinds'].get('all', {}).get('requests', 0)} requests",
            "limit": "0",
            "pass": errors == 0,
        },
        {
            "goal": f"{label}: trails verify",
            "measured": "verify_trail passes"
            if result["verify_trail"]["returncode"] == 0
            else "verify_trail fails",
            "limit": "passes",
            "pass": result["verify_trail"]["returncode"] == 0,
        },
        {
            "goal": f"{label}: notifications exactly once, outbox empty",
            "measured": f"{mail['email_rows']} e-mail rows, {mail['messages_in_sink']} messages; {mail['undelivered']} left, {len(mail['lost'])} lost, {len(mail['delivered_twice'])} twice",
            "limit": "each once, 0 left",
            "pass": mail["exactly_once"],
        },
        {
            "goal": f"{label}: no double transition",
            "measured": f"{len(moves['from_a_state_already_left'])} of {moves['records']} records",
            "limit": "0",
            "pass": moves["none"],
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--runs", default="steady,chaos")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--redis-down", type=float, default=5)
    parser.add_argument("--drain", type=float, default=420)
    args = parser.parse_args()
    load_start = os.getloadavg()
    print(f"load average at the start: {load_start}")
    secret = secrets.token_urlsafe(64)
    scene = prepare(secret, args.web_threads, args.users)
    try:
        runs = [run(n.strip(), args, secret, scene) for n in args.runs.split(",") if n.strip()]
    finally:
        database(TEMPLATE, template="-")  # dropped; puljeflow_topo stays for a look
    load_end = os.getloadavg()
    all_goals = [g for r in runs for g in goals(r)]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "goals": all_goals,
                "loadavg": [load_start, load_end],
                "platform": platform.platform(),
                "cpu_count": os.cpu_count(),
                "users": args.users,
                "duration_s": args.duration,
                "web": {"processes": 2, "workers": args.web_workers, "threads": args.web_threads},
                "runs": {r["run"]: r for r in runs},
            },
            indent=2,
        )
        + "\n"
    )
    for r in runs:
        print(f"\n[{r['run']}] requests per kind (rps, p50/p95/p99 ms, failures):")
        for kind, row in sorted(r["kinds"].items()):
            print(
                f"  {kind:<28}{row['requests']:>7}{row['rps']:>8}{row['p50_ms']:>7}{row['p95_ms']:>7}{row['p99_ms']:>7}{row['failures']:>5}"
            )
        print(f"  expected refusals (two users racing): {r['expected_refusals']}")
        for event in r.get("events", []):
            print(f"  {event}")
    print(f"\nload average: {load_start} -> {load_end}; written: {RESULTS.relative_to(ROOT)}")
    for goal in all_goals:
        print(
            f"{'PASS' if goal['pass'] else 'FAIL'}  {goal['goal']}: {goal['measured']} (limit {goal['limit']})"
        )


if __name__ == "__main__":
    main()
