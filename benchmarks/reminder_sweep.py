#!/usr/bin/env python
"""Benchmark: the reminder sweep over 100,000 open applications on PostgreSQL.

    make bench            # or: DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/reminder_sweep.py

It (re)creates a separate database, ``puljeflow_bench`` next to the one DATABASE_URL
names (or PULJEFLOW_BENCH_DATABASE_URL), migrates it, and generates 20 municipalities
with 20,000 associations and 100,000 open applications: drafts before a deadline,
unanswered requests for information, applications waiting for the municipality,
council and committee meetings with agendas, grants whose usage report is due or
overdue, and as many that are not yet due. The rows are bulk-inserted under
``unaudited_writes_allowed()``: generated data, with no model history and transition
records that carry random hashes rather than a valid chain.

Then it runs ``run_reminders`` twice at the same moment: cold (everything due is
sent) and warm (nothing new is due), and prints the wall time and the number of
queries of each, and writes them to benchmarks/results/reminder_sweep.json. Queuing
the deliveries is replaced by a counter: the broker is not what is measured.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import secrets
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "reminder_sweep.json"
BENCH_DB = "puljeflow_bench"

MUNICIPALITIES = 20
ASSOCIATIONS = 20_000
# --scale: a fraction of the full size (0.1 is 10,000 open applications), to iterate on.
SCALE = 1.0


def scaled(n: int) -> int:
    return max(1, round(n * SCALE))
# Per municipality (x 20 = 100,000 open applications): (what, how many, due now?)
MIX = [
    ("draft, deadline in 5 days", 500, True),
    ("draft, deadline in 60 days", 1000, False),
    ("info requested 10 days ago", 150, True),
    ("info requested 2 days ago", 100, False),
    ("waiting for the municipality 20 days", 1000, True),
    ("waiting for the municipality 3 days", 500, False),
    ("granted, report due in 10 days", 250, True),
    ("paid, report 20 days overdue", 250, True),
    ("paid, report due in 200 days", 1250, False),
]
COUNCIL_ITEMS, COMMITTEE_ITEMS = 60, 40  # per municipality, of the waiting applications
COUNCIL_MEMBERS, COMMITTEE_MEMBERS, CASE_OFFICERS = 5, 3, 2


def bench_database_url() -> str:
    explicit = os.environ.get("PULJEFLOW_BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database (make bench does: scripts/postgres-up)."
        )
    return urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    """A fresh database for every run: the cold run must find nothing sent."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = os.environ.get("DATABASE_URL") or urlunsplit(
        urlsplit(url)._replace(path="/postgres")
    )
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(now: datetime) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from cases.models import (
        AgendaItem,
        Application,
        Association,
        AssociationMember,
        Body,
        GrantRound,
        Meeting,
        Municipality,
        Role,
        StaffRole,
    )
    from cases.trail.history import unaudited_writes_allowed
    from cases.trail.models import TransitionRecord

    User = get_user_model()
    unusable = make_password(None)  # nobody logs in as generated users
    today = timezone.localdate(now)
    started = time.perf_counter()
    with unaudited_writes_allowed():
        municipalities = Municipality.objects.bulk_create(
            [
                Municipality(name=f"Benchkommune {m:02d}", slug=f"benchkommune-{m:02d}")
                for m in range(MUNICIPALITIES)
            ]
        )
        staff: dict[int, dict[str, list[Any]]] = {}
        users, roles = [], []
        for municipality in municipalities:
            group: dict[str, list[Any]] = {"officers": [], "council": [], "committee": []}
            for key, role, n in (
                ("officers", Role.CASE_OFFICER, CASE_OFFICERS),
                ("council", Role.COUNCIL_MEMBER, COUNCIL_MEMBERS),
                ("committee", Role.COMMITTEE_MEMBER, COMMITTEE_MEMBERS),
            ):
                for i in range(n):
                    user = User(
                        username=f"{key}-{municipality.pk}-{i}",
                        email=f"{key}-{municipality.pk}-{i}@bench.invalid",
                        password=unusable,
                    )
                    users.append(user)
                    group[key].append(user)
                    roles.append((user, municipality, role))
            staff[municipality.pk] = group
        applicants = [
            User(username=f"applicant-{i}", email=f"applicant-{i}@bench.invalid", password=unusable)
            for i in range(scaled(ASSOCIATIONS))
        ]
        User.objects.bulk_create(users + applicants, batch_size=5000)
        StaffRole.objects.bulk_create(
            [StaffRole(user=u, municipality=m, role=r) for u, m, r in roles]
        )
        associations = Association.objects.bulk_create(
            [
                Association(
                    name=f"Forening {i}",
                    cvr=f"{10_000_000 + i}",
                    address="Byvej 1",
                    postal_code="4000",
                    city="Roskilde",
                    contact_person="Kontakt",
                    email=f"forening-{i}@bench.invalid",
                    phone="12345678",
                )
                for i in range(scaled(ASSOCIATIONS))
            ],
            batch_size=5000,
        )
        AssociationMember.objects.bulk_create(
            [
                AssociationMember(user=u, association=a, can_represent=True)
                for u, a in zip(applicants, associations, strict=True)
            ],
            batch_size=5000,
        )

        def round_(m: Municipality, name: str, deadline: datetime, **extra: Any) -> GrantRound:
            return GrantRound(
                municipality=m,
                name=name,
                opens_at=deadline - timedelta(days=60),
                deadline=deadline,
                pool_amount=500_000,
                **extra,
            )

        rounds: dict[tuple[int, str], GrantRound] = {}
        for m in municipalities:
            for key, deadline, extra in (
                ("open", now + timedelta(days=5), {}),
                ("later", now + timedelta(days=60), {}),
                ("review", now - timedelta(days=60), {}),
                (
                    "report_soon",
                    now - timedelta(days=300),
                    {"report_deadline": today + timedelta(days=10)},
                ),
                (
                    "overdue",
                    now - timedelta(days=400),
                    {"report_deadline": today - timedelta(days=20)},
                ),
                (
                    "report_later",
                    now - timedelta(days=200),
                    {"report_deadline": today + timedelta(days=200)},
                ),
            ):
                rounds[(m.pk, key)] = round_(m, f"Pulje {key}", deadline, **extra)
        GrantRound.objects.bulk_create(list(rounds.values()))

        # (round key, statuses cycled, days since the latest transition, transition name)
        plan = [
            ("open", ["draft"], None, None),
            ("later", ["draft"], None, None),
            ("review", ["info_requested"], 10, "request_info"),
            ("review", ["info_requested"], 2, "request_info"),
            ("review", ["submitted", "in_council_review", "recommended"], 20, "accept"),
            ("review", ["submitted", "in_council_review", "recommended"], 3, "accept"),
            ("report_soon", ["granted", "paid"], 100, "decide"),
            ("overdue", ["paid"], 100, "pay"),
            ("report_later", ["paid"], 100, "pay"),
        ]
        applications: list[Any] = []
        records_for: list[tuple[int, int | None, str | None]] = []
        n = 0
        for m in municipalities:
            for (_what, count, _due), (key, statuses, days, transition) in zip(
                MIX, plan, strict=True
            ):
                for i in range(scaled(count)):
                    applications.append(
                        Application(
                            municipality=m,
                            round=rounds[(m.pk, key)],
                            association=associations[n % len(associations)],
                            case_number=f"B-{n:07d}",
                            status=statuses[i % len(statuses)],
                            title=f"Aktivitet {n}",
                            open_question="Hvor mange frivillige har I?"
                            if statuses[0] == "info_requested"
                            else "",
                        )
                    )
                    records_for.append((len(applications) - 1, days, transition))
                    n += 1
        Application.objects.bulk_create(applications, batch_size=5000)
        TransitionRecord.objects.bulk_create(
            [
                TransitionRecord(
                    application=applications[index],
                    seq=1,
                    flow="application",
                    transition=transition,
                    from_state="submitted",
                    to_state=applications[index].status,
                    actor=None,
                    actor_name="bench",
                    role="case_officer",
                    created_at=now - timedelta(days=days),
                    reason="",
                    payload={},
                    prev_hash="0" * 64,
                    hash=secrets.token_hex(32),
                )
                for index, days, transition in records_for
                if transition is not None and days is not None
            ],
            batch_size=5000,
        )

        by_round_status: dict[tuple[int, str], list[Any]] = {}
        for a in applications:
            by_round_status.setdefault((a.round_id, a.status), []).append(a)
        meetings, present, items = [], [], []
        for m in municipalities:
            review = rounds[(m.pk, "review")]
            for body, day, members, status, count in (
                (
                    Body.COUNCIL,
                    today + timedelta(days=2),
                    staff[m.pk]["council"],
                    "in_council_review",
                    COUNCIL_ITEMS,
                ),
                (
                    Body.COMMITTEE,
                    today + timedelta(days=5),
                    staff[m.pk]["committee"],
                    "recommended",
                    COMMITTEE_ITEMS,
                ),
            ):
                meeting = Meeting(round=review, body=body, date=day)
                meetings.append(meeting)
                chosen = by_round_status.get((review.pk, status), [])[:count]
                items.append((meeting, members, chosen))
        Meeting.objects.bulk_create(meetings)
        for meeting, members, chosen in items:
            present += [
                Meeting.members_present.through(meeting_id=meeting.pk, user_id=u.pk)
                for u in members
            ]
            AgendaItem.objects.bulk_create(
                [
                    AgendaItem(meeting=meeting, application=a, position=p)
                    for p, a in enumerate(chosen, 1)
                ]
            )
        Meeting.members_present.through.objects.bulk_create(present)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have by now
    return {
        "municipalities": MUNICIPALITIES,
        "associations": scaled(ASSOCIATIONS),
        "scale": SCALE,
        "open_applications": len(applications),
        "by_status": dict(Counter(a.status for a in applications)),
        "mix_per_municipality": [
            {"what": w, "count": scaled(c), "due": d} for w, c, d in MIX
        ],
        "generated_seconds": round(time.perf_counter() - started, 1),
    }


def measure(label: str, now: datetime, profile: bool = False) -> dict[str, Any]:
    from django.db import connection

    from notifications.models import Notification, Reminder
    from notifications.reminders.engine import run_reminders

    queries = 0
    in_database = 0.0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries, in_database
        queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database += time.perf_counter() - started

    notifications_before = Notification.objects.count()
    reminders_before = Reminder.objects.count()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        per_rule = run_reminders(now)
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
    top = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        top = out.getvalue()
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "queries": queries,
        "database_seconds": round(in_database, 2),
        "reminders": Reminder.objects.count() - reminders_before,
        "notifications": Notification.objects.count() - notifications_before,
        "per_rule": dict(per_rule),
        **({"profile": top} if profile else {}),
    }


def main() -> None:
    global SCALE
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="0.1: 10,000 open applications")
    parser.add_argument("--profile", action="store_true", help="cProfile the cold run")
    args = parser.parse_args()
    SCALE = args.scale
    url = bench_database_url()
    print(f"Recreating {urlsplit(url).path.lstrip('/')} and generating data …", flush=True)
    recreate_database(url)
    setup_django(url)

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from notifications import tasks

    # The digest is due from 7:00; the benchmark must not depend on the hour it runs at.
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    queued: list[int] = []
    tasks.deliver.delay = queued.append  # type: ignore[method-assign]

    now = timezone.now()
    data = generate(now)
    print(
        f"{data['open_applications']:,} open applications in {data['generated_seconds']} s",
        flush=True,
    )
    runs = [
        measure("cold (everything due)", now, profile=args.profile),
        measure("warm (nothing new due)", now),
    ]
    if args.profile:
        print(runs[0]["profile"])

    header = (
        f"{'run':<24}{'reminders':>11}{'notifications':>15}{'wall time (s)':>15}"
        f"{'queries':>9}{'in database (s)':>17}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r['run']:<24}{r['reminders']:>11,}{r['notifications']:>15,}"
            f"{r['seconds']:>15.2f}{r['queries']:>9,}{r['database_seconds']:>17.2f}"
        )
    print()
    print("cold run, reminders per rule:")
    for rule, n in runs[0]["per_rule"].items():
        print(f"  {rule:<24}{n:>8,}")
    print(f"deliveries queued (broker replaced by a counter): {len(queued):,}")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    result = {
        "benchmark": "reminder sweep (notifications.reminders.engine.run_reminders)",
        "at": now.isoformat(),
        "database": f"PostgreSQL {server}",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "data": data,
        "batch_size": settings.NOTIFICATIONS_REMINDER_BATCH,
        "runs": runs,
        "deliveries_queued": len(queued),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
