"""The data of benchmarks/reminder_sweep.py: 20 municipalities, 20,000 associations and
100,000 open applications (times ``--scale``), bulk-inserted under
``unaudited_writes_allowed()``: generated data, with no model history and transition
records that carry random hashes rather than a valid chain."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

MUNICIPALITIES = 20
ASSOCIATIONS = 20_000
# --scale: a fraction of the full size (0.1 is 10,000 open applications), to iterate on.
SCALE = [1.0]  # set by reminder_sweep.py's --scale


def scaled(n: int) -> int:
    return max(1, round(n * SCALE[0]))


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
        "mix_per_municipality": [{"what": w, "count": scaled(c), "due": d} for w, c, d in MIX],
        "generated_seconds": round(time.perf_counter() - started, 1),
    }
