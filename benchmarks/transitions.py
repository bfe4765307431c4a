"""The transition benchmark of benchmarks/national.py: the engine against two floors.

Every full life (submit → accept → recommend → decide → pay → submit_report →
approve_report) is run three ways, interleaved life by life in one process so that all
three meet the same machine:

- **engine**: ``workflows.engine.perform``, with every guarantee — the row lock, the
  version check, the permission (conflicts of interest included), the conditions, the
  typed input, the chained record, the outbox, the letter, the journal's hand-over row
  and the public register's version.
- **writes floor** (the goal's floor): the same rows written with plain ORM and nothing
  else — one locking read per transition (the case row, and the pool's row first for
  ``decide``) and the chain's head read after it, then exactly the INSERTs and UPDATEs the engine made for
  that step (the case and its history row, the chained record, the payout, report and
  letter rows with their history, the outbox rows in one INSERT, the hand-over row, the
  register's version), with the texts copied from the engine's own warm-up life: no
  permission, no condition, no rendering. The ratio engine/floor is the cost of
  everything the engine adds to the writes it must make; the benchmark checks that both
  sides wrote the same rows (statements per table) for every step.
- **bare floor** (the figure of the run of 23 November): one ``save()`` of the status
  with its history row and one chained record, nothing else (3 statements).
"""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter
from decimal import Decimal
from typing import Any

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("submit", "applicant", {}),
    ("accept", "officer", {"reason": "OK"}),
    ("recommend", "chair", {"outcome": "grant"}),
    ("decide", "committee_chair", {"outcome": "grant"}),
    ("pay", "officer", {"reference": "UDB-1"}),
    ("submit_report", "applicant", {"description": "Gjort", "declaration_on_honour": True}),
    ("approve_report", "officer", {}),
]
NAMES = [name for name, _a, _d in STEPS]
TARGET = {
    "submit": "submitted",
    "accept": "in_council_review",
    "recommend": "recommended",
    "decide": "granted",
    "pay": "paid",
    "submit_report": "report_submitted",
    "approve_report": "closed",
}
_WRITE = re.compile(r'^(INSERT INTO|UPDATE) "([a-z_]+)"')


class Meter:
    """Seconds, statements and writes per table of each step, through an execute wrapper."""

    def __init__(self) -> None:
        self.step = ""
        self.seconds: Counter[str] = Counter()
        self.queries: Counter[str] = Counter()
        self.writes: dict[str, Counter[str]] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.step:
            self.queries[self.step] += 1
            found = _WRITE.match(sql)
            if found:
                self.writes.setdefault(self.step, Counter())[found.group(2)] += 1
        return execute(sql, params, many, context)

    def timed(self, step: str, fn: Any) -> Any:
        self.step = step
        started = time.perf_counter()
        try:
            return fn()
        finally:
            self.seconds[step] += time.perf_counter() - started
            self.step = ""


def life_setup(tag: str, count: int) -> dict[str, Any]:
    """A fresh open round (no attachments required) with its meetings, and ``count``
    drafts of one association, in the first generated municipality."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from benchmarks.loadgen import generated_municipality_ids
    from cases.models import (
        Application,
        Association,
        AssociationMember,
        BudgetLine,
        GrantRound,
        Municipality,
    )
    from cases.services.meetings import meeting_create

    municipality = Municipality.objects.get(pk=next(generated_municipality_ids()))
    users = get_user_model().objects
    prefix = municipality.name.split()[-1]
    officer = users.get(username=f"load-{prefix}-officer-0")
    council = list(users.filter(username__startswith=f"load-{prefix}-council-"))
    committee = list(users.filter(username__startswith=f"load-{prefix}-committee-"))
    stamp = f"{tag}-{time.time_ns()}"
    now = timezone.now()
    grant_round = GrantRound(
        municipality=municipality,
        name=f"Benchmark {stamp}",
        opens_at=now - datetime.timedelta(days=1),
        deadline=now + datetime.timedelta(days=30),
        pool_amount=Decimal("100000000"),
        report_deadline=(now + datetime.timedelta(days=400)).date(),
        required_attachments=[],
    )
    grant_round.save()
    meetings = {
        body: meeting_create(
            grant_round=grant_round,
            body=body,
            date=now.date(),
            members_present=members,
            acting_user=officer,
        )
        for body, members in (("council", council), ("committee", committee))
    }
    applicant = users.create(username=f"bench-applicant-{stamp}")
    association = Association(
        name=f"Benchforening {stamp}",
        cvr=str(20_000_000 + time.time_ns() % 70_000_000),
        address="Byvej 1", postal_code="4000", city="Roskilde",
        contact_person="Kontakt", email="bench@load.invalid", phone="12345678",
    )  # fmt: skip
    association.save()
    AssociationMember(user=applicant, association=association, can_represent=True).save()
    drafts = []
    for i in range(count):
        application = Application(
            municipality=municipality,
            round=grant_round,
            association=association,
            case_number=f"X{i:05d}{stamp[-6:]}",
            title=f"Benchmark {i}",
            purpose="Fællesskab",
            target_group="Ældre",
            activity_description="Caféaftener",
            volunteers=10,
            # Below the first report tier: the report needs a declaration, not accounts.
            amount_requested=Decimal("5000"),
            declaration_correct=True,
        )
        application.save()
        BudgetLine(application=application, description="Alt", amount=Decimal("5000")).save()
        drafts.append(application)
    return {
        "drafts": drafts,
        "meetings": meetings,
        "applicant": applicant,
        "officer": officer,
        "chair": users.get(username=f"load-{prefix}-council-0"),
        "committee_chair": users.get(username=f"load-{prefix}-committee-0"),
    }


def _between(s: dict[str, Any], application: Any) -> None:
    """Not timed: the officer puts the case on the council's, then the committee's agenda."""
    from cases.services.meetings import agenda_add

    body = {"in_council_review": "council", "recommended": "committee"}.get(application.status)
    if body:
        agenda_add(
            meeting=s["meetings"][body], applications=[application], acting_user=s["officer"]
        )


def engine_life(s: dict[str, Any], application: Any, meter: Meter) -> Any:
    from workflows import engine

    for name, actor, data in STEPS:
        if name == "submit_report":
            line = application.budget_lines.get()
            data = {**data, "lines": [{"budget_line": line.pk, "spent": "5000"}]}
        application = meter.timed(
            name,
            lambda a=application, n=name, u=s[actor], d=data: engine.perform(a, n, user=u, **d),
        )
        _between(s, application)
    assert application.status == "closed", application.status
    return application


def content_of(application: Any) -> dict[str, Any]:
    """What the engine wrote for one life, per step: the outbox rows and the letter's text,
    for the writes floor to copy."""
    from cases.models import Document
    from notifications.models import Notification

    rows = list(Notification.objects.filter(application=application).order_by("pk").values())
    by_step: dict[str, list[dict[str, Any]]] = {}
    records = list(application.transition_records.order_by("seq"))
    for row in rows:
        step = next(
            (r.transition for r in reversed(records) if r.created_at <= row["created_at"]),
            "submit",
        )
        for key in (
            "id",
            "application_id",
            "created_at",
            "next_attempt_at",
            "message_id",
            "memo_uuid",
        ):
            row.pop(key, None)
        by_step.setdefault(step, []).append(row)
    letter = Document.objects.filter(application=application).order_by("pk").first()
    return {"outbox": by_step, "letter": (letter.kind, letter.title, letter.html)}


def floor_life(s: dict[str, Any], application: Any, content: dict[str, Any], meter: Meter) -> None:
    for seq, (name, actor, _data) in enumerate(STEPS, 1):
        meter.timed(
            name, lambda n=name, q=seq, u=s[actor]: _floor_step(application, n, q, u, content)
        )


def _floor_step(application: Any, name: str, seq: int, user: Any, content: dict[str, Any]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cases.models import (
        Application,
        Document,
        GrantRound,
        Payout,
        UsageReport,
        UsageReportLine,
    )
    from cases.trail.chain import GENESIS, seal
    from cases.trail.history import TRANSITION_REASON
    from cases.trail.models import TransitionRecord
    from notifications.models import Notification

    now = timezone.now()
    with transaction.atomic():
        if name == "decide":
            list(
                GrantRound.objects.select_for_update(no_key=True)
                .filter(pk=application.round_id)
                .values_list("pk")
            )
        case = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        # The head after the lock, in a statement of its own, as the engine must read it.
        head = (
            TransitionRecord.objects.filter(application=case)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        head_seq, head_hash = head if head else (None, None)
        source, target = case.status, TARGET[name]
        fields = ["status", "version", "updated_at"]
        payout = report = None
        if name == "pay":
            payout = Payout(
                application=case,
                paid_on=now.date(),
                amount=Decimal("5000"),
                reference="UDB-1",
                registered_by=user,
            )
            payout._history_user = user  # type: ignore[attr-defined]
            payout.save()
        if name == "approve_report":
            report = UsageReport.objects.get(application=case)
            report.status = "approved"
            report._history_user = user  # type: ignore[attr-defined]
            report.save(update_fields=["status", "review_reasons"])
        case.status = target
        case.version += 1
        if name == "submit":
            case.submitted_at = now
            fields.append("submitted_at")
        elif name == "decide":
            case.granted_amount, case.decided_at, case.decision_date = (
                Decimal("5000"),
                now,
                now.date(),
            )
            fields += ["granted_amount", "decision_reasons", "decided_at", "decision_date"]
        elif name == "recommend":
            case.recommendation_outcome, case.recommended_amount = "grant", Decimal("5000")
            fields += ["recommendation_outcome", "recommended_amount", "recommendation_reasons"]
        elif name == "approve_report":
            case.closed_at = now
            fields.append("closed_at")
        case._history_user = user  # type: ignore[attr-defined]
        case._change_reason = f"{TRANSITION_REASON}{name}"  # type: ignore[attr-defined]
        case.save(update_fields=fields)
        if name == "submit_report":
            report = UsageReport(
                application=case,
                description="Gjort",
                amount_spent=Decimal("5000"),
                declaration_on_honour=True,
                submitted_by=user,
            )
            report._history_user = user  # type: ignore[attr-defined]
            report.save()
            line = UsageReportLine(
                report=report, description="Alt", budgeted=Decimal("5000"), spent=Decimal("5000")
            )
            line._history_user = user  # type: ignore[attr-defined]
            line.save()
        letter = None
        if name == "decide":
            kind, title, html = content["letter"]
            letter = Document(application=case, kind=kind, title=title, html=html, created_by=user)
            letter._history_user = user  # type: ignore[attr-defined]
            letter.save()
        record = TransitionRecord(
            application=case, seq=(head_seq or 0) + 1, flow="application", transition=name,
            from_state=source, to_state=target, actor=user, actor_name=user.get_username(),
            role="", created_at=now, reason="",
            payload={"_actor_id": user.pk, **({"letter": letter.pk} if letter else {}),
                     **({"payout": payout.pk} if payout else {})},
            prev_hash=head_hash or GENESIS,
        )  # fmt: skip
        seal(record, case)
        record.save()
        # The journal's hand-over row and the register's version follow the record by the
        # same signals as the engine's (cases/handover/signals.py, services/publication.py).
        rows = [Notification(application=case, **row) for row in content["outbox"].get(name, [])]
        if rows:
            Notification.objects.bulk_create(rows)
    # fmt: on


def bare_life(s: dict[str, Any], application: Any, meter: Meter) -> None:
    """The floor of 23 November: per step the status saved (with its history row) and one
    chained record; no lock, no read, nothing else."""
    from django.db import transaction
    from django.utils import timezone

    from cases.trail.chain import GENESIS, seal
    from cases.trail.history import TRANSITION_REASON
    from cases.trail.models import TransitionRecord

    prev = GENESIS
    for seq, (name, actor, _data) in enumerate(STEPS, 1):
        user = s[actor]

        def step(
            name: str = name, seq: int = seq, user: Any = user, role: str = actor, prev: str = prev
        ) -> str:
            with transaction.atomic():
                source = application.status
                application.status = TARGET[name]
                application.version += 1
                application._history_user = user
                application._change_reason = f"{TRANSITION_REASON}{name}"
                application.save(update_fields=["status", "version", "updated_at"])
                record = TransitionRecord(
                    application=application, seq=seq, flow="application", transition=name,
                    from_state=source, to_state=TARGET[name], actor=user,
                    actor_name=user.get_username(), role=role, created_at=timezone.now(),
                    reason="", payload={"_actor_id": user.pk}, prev_hash=prev,
                )  # fmt: skip
                seal(record, application)
                record.save()
                return str(record.hash)

        prev = meter.timed(name, step)


def worker(count: int, tag: str) -> dict[str, Any]:
    """``count`` lives each way, interleaved; one engine life first as warm-up and as the
    source of the floor's texts."""
    from django.db import connection

    s = life_setup(tag, 3 * count + 1)
    drafts = s["drafts"]
    warm = Meter()
    with connection.execute_wrapper(warm):
        first = engine_life(s, drafts[0], warm)
    content = content_of(first)
    meters = {"engine": Meter(), "floor": Meter(), "bare": Meter()}
    started = time.perf_counter()
    for i in range(count):
        e, f, b = drafts[1 + 3 * i : 4 + 3 * i]
        with connection.execute_wrapper(meters["engine"]):
            engine_life(s, e, meters["engine"])
        with connection.execute_wrapper(meters["floor"]):
            floor_life(s, f, content, meters["floor"])
        with connection.execute_wrapper(meters["bare"]):
            bare_life(s, b, meters["bare"])
    result: dict[str, Any] = {
        "lives": count,
        "wall_seconds": round(time.perf_counter() - started, 2),
    }
    for way, meter in meters.items():
        result[way] = {
            "seconds": round(sum(meter.seconds.values()), 3),
            "ms_per_step": {n: round(meter.seconds[n] * 1000 / count, 2) for n in NAMES},
            "queries_per_step": {n: round(meter.queries[n] / count, 1) for n in NAMES},
            "writes_per_step": {
                n: {t: c // count for t, c in sorted(meter.writes.get(n, Counter()).items())}
                for n in NAMES
            },
        }
    result["same_writes"] = {
        n: result["engine"]["writes_per_step"][n] == result["floor"]["writes_per_step"][n]
        for n in NAMES
    }
    return result


def profile(count: int) -> dict[str, Any]:
    import cProfile
    import io
    import pstats

    from django.db import connection

    s = life_setup("profile", count)
    meter = Meter()
    profiler = cProfile.Profile()
    with connection.execute_wrapper(meter):
        engine_life(s, s["drafts"][0], meter)  # imports and first-use caches outside
        profiler.enable()
        for draft in s["drafts"][1:]:
            engine_life(s, draft, meter)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    # And by what calls them: how much of a life each of the engine's parts costs.
    stats.print_callers("render_to_string|notify|letter|lock|_check|record_transition")
    return {"profile": out.getvalue()}


def summarise(single: dict[str, Any], dual: list[dict[str, Any]], limit: float) -> dict[str, Any]:
    """Ratios per step (engine ms / floor ms, from the same interleaved run) and goals."""
    steps = {}
    for n in NAMES:
        engine_ms = single["engine"]["ms_per_step"][n]
        floor_ms = single["floor"]["ms_per_step"][n]
        steps[n] = {
            "engine_ms": engine_ms,
            "floor_ms": floor_ms,
            "bare_ms": single["bare"]["ms_per_step"][n],
            "ratio": round(engine_ms / floor_ms, 2),
            "ratio_to_bare": round(engine_ms / single["bare"]["ms_per_step"][n], 2),
            "engine_queries": single["engine"]["queries_per_step"][n],
            "floor_queries": single["floor"]["queries_per_step"][n],
            "bare_queries": single["bare"]["queries_per_step"][n],
            "same_writes": single["same_writes"][n],
        }
    life = {w: single[w]["seconds"] / single["lives"] for w in ("engine", "floor", "bare")}
    goals = [
        {
            "goal": f"transition {n}: engine / writes floor",
            "measured": f"{v['ratio']}× ({v['engine_queries']:g} vs {v['floor_queries']:g} statements)",
            "limit": f"≤ {limit}×",
            "pass": v["ratio"] <= limit and v["same_writes"],
        }
        for n, v in steps.items()
    ]
    goals.append(
        {
            "goal": "full life: engine / writes floor",
            "measured": f"{life['engine'] / life['floor']:.2f}×",
            "limit": f"≤ {limit}×",
            "pass": life["engine"] / life["floor"] <= limit,
        }
    )
    return {
        "steps": steps,
        "lives_per_second": {
            "engine, 1 process": round(1 / life["engine"], 2),
            "engine, 2 processes": round(sum(d["lives"] / d["engine"]["seconds"] for d in dual), 2),
            "writes floor, 1 process": round(1 / life["floor"], 2),
            "bare floor, 1 process": round(1 / life["bare"], 2),
        },
        "life_ratio": round(life["engine"] / life["floor"], 2),
        "life_ratio_to_bare": round(life["engine"] / life["bare"], 2),
        "goals": goals,
    }
