"""The load generator's rows: one municipality at a time, the same for the same seed.

``Generator.municipality(k)`` writes municipality *k* — its staff, associations,
Y years of rounds and applications in every state with their transition records,
model history, meetings, assessments, payouts and usage reports — into a ``Sink``
(``benchmarks/loadgen_sink.py``). Under ``unaudited_writes_allowed()`` nothing
writes the model history for it, so it writes it itself: one ``+`` row per created
object and one ``~`` row per transition save of an application, exactly as
``save()`` would have. Transition records carry the same hash chain
``cases.trail.chain.record_transition`` computes, so ``verify_trail`` passes.
Municipality *k* gets the same rows for the same seed and ``now``; which ids they
get is the sink's business (``benchmarks/loadgen.py`` orchestrates).
"""

from __future__ import annotations

import functools
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from benchmarks.loadgen_sink import Sink
from benchmarks.loadgen_steps import (
    DAY_OF,
    GENESIS,
    MIX_CURRENT,
    MIX_PAST,
    MIX_PREVIOUS,
    PATHS,
    TARGET,
    People,
    canonical_hash,
    step,
)

NAME_PREFIX = "Lastkommune"
# An unusable password (the "!" prefix make_password(None) also uses): nobody logs in.
UNUSABLE_PASSWORD = "!generated-load-user"  # noqa: S105

CASE_OFFICERS, COUNCIL, COMMITTEE = 2, 5, 3
ASSESSMENTS_PER_APPLICATION = 3


@functools.cache
def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def system_actor() -> tuple[int, str]:
    """The system user (made if missing) as the generator writes actors: id and name."""
    from cases.trail.history import actor_display_name, system_user

    user = system_user()
    return int(user.pk), actor_display_name(user)


class Generator:
    """Writes municipality *k* into ``sink``; the same rows for the same seed, k and now.

    With a counting sink it only counts the rows (and skips the hashing), which is how
    a parallel load learns each municipality's share of the ids before writing.
    """

    def __init__(
        self,
        *,
        years: int,
        per_round: int,
        seed: int,
        sink: Sink,
        system: tuple[int, str],
    ) -> None:
        self.years = years
        self.per_round = per_round
        self.seed = seed
        self.sink = sink
        self.now = sink.now
        self.applications = 0
        self.records = 0
        self.system = system

    # --- people ---------------------------------------------------------------------

    def _user(self, username: str) -> tuple[int, str]:
        from django.contrib.auth import get_user_model

        pk = self.sink.add(
            get_user_model(),
            username=username,
            email=f"{username}@load.invalid",
            password=UNUSABLE_PASSWORD,
            is_superuser=False,
            is_staff=False,
            is_active=True,
            first_name="",
            last_name="",
            date_joined=self.now,
            last_login=None,
        )
        return pk, username

    def _staff(self, municipality: int, k: int, at: datetime) -> People:
        role_model = _model("cases.StaffRole")
        system = self.system

        def person(key: str, i: int, *roles: str) -> tuple[int, str]:
            user = self._user(f"load-{k:04d}-{key}-{i}")
            for role in roles:
                self.sink.created(
                    role_model, at=at, user=system, user_id=user[0],
                    municipality_id=municipality, role=role,
                )  # fmt: skip
            return user

        officers = [person("officer", i, "case_officer") for i in range(CASE_OFFICERS)]
        council = [
            person("council", i, "council_member", *(["council_chair"] if i == 0 else []))
            for i in range(COUNCIL)
        ]
        committee = [
            person("committee", i, "committee_member", *(["committee_chair"] if i == 0 else []))
            for i in range(COMMITTEE)
        ]
        auditor = person("auditor", 0, "auditor")
        return People(officers, council, council[0], committee, committee[0], auditor)

    # --- one municipality -------------------------------------------------------------

    def municipality(self, k: int) -> None:
        rng = random.Random(f"{self.seed}-{k}")
        s = self.sink
        setup_at = self.now - timedelta(days=365 * self.years + 120)
        system = self.system
        municipality = s.created(
            _model("cases.Municipality"),
            at=setup_at,
            user=system,
            name=f"{NAME_PREFIX} {k:04d}",
            slug=f"lastkommune-{k:04d}",  # the public pages' address, as unique as the name
        )
        people = self.people = self._staff(municipality, k, setup_at)
        associations: list[tuple[int, tuple[int, str], str]] = []
        for i in range(max(4, self.per_round * 3 // 4)):
            applicant = self._user(f"load-{k:04d}-applicant-{i}")
            email = f"forening-{k}-{i}@load.invalid"
            association = s.created(
                _model("cases.Association"), at=setup_at, user=system,
                name=f"Forening {k}-{i}", cvr=f"{10_000_000 + k * 10_000 + i}",
                address="Byvej 1", postal_code="4000", city="Roskilde",
                contact_person="Kontaktperson", email=email, phone="12345678",
            )  # fmt: skip
            s.created(
                _model("cases.AssociationMember"), at=setup_at, user=system,
                user_id=applicant[0], association_id=association,
                can_represent=True, is_board_member=False,
            )  # fmt: skip
            associations.append((association, applicant, email))

        rounds = 2 * self.years
        latest_deadline = self.now - timedelta(days=90)
        counters: dict[int, int] = {}
        for r in range(rounds):
            age = rounds - 1 - r
            deadline = latest_deadline - timedelta(days=182 * age)
            mix = MIX_CURRENT if age == 0 else MIX_PREVIOUS if age == 1 else MIX_PAST
            self._round(rng, municipality, people, associations, deadline, mix, counters)
        for year, last in counters.items():
            s.add(
                _model("cases.CaseNumberCounter"),
                municipality_id=municipality, year=year, last_number=last,
            )  # fmt: skip

    def _round(
        self,
        rng: random.Random,
        municipality: int,
        people: People,
        associations: list[tuple[int, tuple[int, str], str]],
        deadline: datetime,
        mix: dict[str, int],
        counters: dict[int, int],
    ) -> None:
        s = self.sink
        officer = people.officers[0]
        opens = deadline - timedelta(days=60)
        council_day = deadline + timedelta(days=DAY_OF["recommend"])
        committee_day = deadline + timedelta(days=DAY_OF["decide"])
        half = 1 if deadline.month <= 6 else 2
        round_values = dict(
            municipality_id=municipality,
            name=f"§ 18-puljen {deadline.year} ({half}. runde)",
            opens_at=opens,
            deadline=deadline,
            pool_amount=Decimal(self.per_round * 15_000),
            council_meeting_date=council_day.date(),
            committee_meeting_date=committee_day.date(),
            report_deadline=(deadline + timedelta(days=365)).date(),
        )
        grant_round = s.created(
            _model("cases.GrantRound"), at=opens - timedelta(days=30), user=officer, **round_values
        )
        states = rng.choices(list(mix), weights=list(mix.values()), k=self.per_round)
        meeting_ids: dict[str, int] = {}
        positions = {"council": 0, "committee": 0}
        meeting_model = _model("cases.Meeting")
        through = meeting_model.members_present.through  # type: ignore[attr-defined]
        for body, day, members in (
            ("council", council_day, people.council),
            ("committee", committee_day, people.committee),
        ):
            if not any(len(PATHS[st]) >= (3 if body == "council" else 4) for st in states):
                continue
            created = day - timedelta(days=14)
            pk = s.created(
                meeting_model, at=created, user=officer, round_id=grant_round,
                body=body, date=day.date(), created_by_id=officer[0], created_at=created,
            )  # fmt: skip
            for member in members:
                s.add(through, meeting_id=pk, user_id=member[0])
            meeting_ids[body] = pk
        for status in states:
            association = associations[rng.randrange(len(associations))]
            year = deadline.year
            counters[year] = counters.get(year, 0) + 1
            self._application(
                rng, municipality, grant_round, association, people, deadline, status,
                f"{year}-{counters[year]:05d}", meeting_ids, positions,
            )  # fmt: skip

    def _application(
        self,
        rng: random.Random,
        municipality: int,
        grant_round: int,
        association: tuple[int, tuple[int, str], str],
        people: People,
        deadline: datetime,
        status: str,
        case_number: str,
        meeting_ids: dict[str, int],
        positions: dict[str, int],
    ) -> None:
        s = self.sink
        application_model = _model("cases.Application")
        association_id, applicant, _email = association
        requested = Decimal(rng.randrange(5, 120) * 1000)
        created = deadline - timedelta(days=rng.randrange(15, 40), seconds=rng.randrange(86_400))
        pk = s.reserve(application_model)
        values: dict[str, Any] = dict(
            id=pk,
            municipality_id=municipality,
            round_id=grant_round,
            association_id=association_id,
            case_number=case_number,
            status="draft",
            title=f"Aktivitet {case_number}",
            purpose="At skabe fællesskab for udsatte borgere.",
            target_group="Ensomme ældre",
            activity_description="Ugentlige cafémøder med frivillige.",
            volunteers=rng.randrange(3, 40),
            members=rng.randrange(10, 200),
            participants=rng.randrange(10, 300),
            amount_requested=requested,
            other_funding=Decimal("0"),
            declaration_correct=True,
            version=0,
            created_at=created,
            updated_at=created,
        )
        s.history(application_model, values, "+", created, applicant)
        lines = [
            ("Materialer", (requested * Decimal("0.4")).quantize(Decimal("1"))),
            ("Transport og forplejning", (requested * Decimal("0.6")).quantize(Decimal("1"))),
        ]
        for position, (description, amount) in enumerate(lines):
            s.created(
                _model("cases.BudgetLine"), at=created, user=applicant, application_id=pk,
                description=description, amount=amount, position=position,
            )  # fmt: skip

        path = list(PATHS[status])
        if len(path) >= 2 and path[1] == "accept" and rng.random() < 0.1:
            path[1:1] = ["request_info", "provide_info"]
        submitted = deadline - timedelta(days=rng.randrange(1, 14), seconds=rng.randrange(86_400))
        prev_hash = GENESIS
        granted = (
            requested if rng.random() < 0.5 else (requested * Decimal("0.6")).quantize(Decimal("1"))
        )
        if status == "refused":
            granted = Decimal("0")
        for seq, name in enumerate(path, 1):
            at = (
                submitted
                if name == "submit"
                else deadline
                + timedelta(days=DAY_OF[name], seconds=rng.randrange(3600), microseconds=seq)
            )
            actor, role, reason, payload = step(
                name, values, people, applicant, at, granted, requested, status
            )
            extra = self._objects(name, pk, values, actor, at, granted, meeting_ids, positions)
            payload.update(extra)
            to_state = TARGET.get(name) or ("granted" if granted > 0 else "refused")
            from_state = values["status"]
            values["status"] = to_state
            values["version"] += 1
            values["updated_at"] = at
            s.history(application_model, values, "~", at, actor)
            payload["_actor_id"] = actor[0]
            body = {
                "application": pk,
                "seq": seq,
                "flow": "application",
                "transition": name,
                "from": from_state,
                "to": to_state,
                "actor": actor[0],
                "actor_name": actor[1],
                "role": role,
                "at": at.isoformat(timespec="microseconds"),
                "reason": reason,
                "payload": payload,
                "prev": prev_hash,
            }
            digest = "" if s.counting else canonical_hash(body)
            s.add(
                _model("cases.TransitionRecord"), application_id=pk, seq=seq,
                flow="application", transition=name, from_state=from_state, to_state=to_state,
                actor_id=actor[0], actor_name=actor[1], role=role, created_at=at,
                reason=reason, payload=payload, prev_hash=prev_hash, hash=digest,
            )  # fmt: skip
            prev_hash = digest
            self.records += 1
        s.add(application_model, **values)
        self.applications += 1

    def _objects(
        self,
        name: str,
        application: int,
        values: dict[str, Any],
        actor: tuple[int, str],
        at: datetime,
        granted: Decimal,
        meeting_ids: dict[str, int],
        positions: dict[str, int],
    ) -> dict[str, Any]:
        """The objects a transition makes beside the record (agenda items, payouts, …)."""
        s = self.sink
        if name == "accept" and "council" in meeting_ids:
            positions["council"] += 1
            s.created(
                _model("cases.AgendaItem"), at=at, user=actor, meeting_id=meeting_ids["council"],
                application_id=application, position=positions["council"],
            )  # fmt: skip
        if name == "recommend":
            meeting = meeting_ids["council"]
            # The first members assess (the chair records the joint recommendation).
            for member_index in range(ASSESSMENTS_PER_APPLICATION):
                member = self.people.council[member_index % len(self.people.council)]
                s.created(
                    _model("cases.Assessment"), at=at - timedelta(days=1), user=member,
                    meeting_id=meeting, application_id=application, member_id=member[0],
                    outcome=values["recommendation_outcome"], amount=granted,
                    comment="", updated_at=at - timedelta(days=1),
                )  # fmt: skip
            if "committee" in meeting_ids:
                positions["committee"] += 1
                s.created(
                    _model("cases.AgendaItem"), at=at, user=actor,
                    meeting_id=meeting_ids["committee"], application_id=application,
                    position=positions["committee"],
                )  # fmt: skip
            return {"meeting": meeting, "assessments": {values["recommendation_outcome"]: 3}}
        if name == "decide":
            return {"meeting": meeting_ids["committee"]}
        if name == "pay":
            payout = s.created(
                _model("cases.Payout"), at=at, user=actor, application_id=application,
                paid_on=at.date(), amount=granted, reference=f"UDB-{application}",
                registered_by_id=actor[0], registered_at=at,
            )  # fmt: skip
            return {"payout": payout, "reference": f"UDB-{application}"}
        if name == "submit_report":
            report = s.created(
                _model("cases.UsageReport"), at=at, user=actor, application_id=application,
                description="Vi gennemførte aktiviteterne som planlagt.",
                participants_reached=values["participants"] or 0,
                volunteers_involved=values["volunteers"] or 0, amount_spent=granted,
                declaration_on_honour=True, submitted_by_id=actor[0], submitted_at=at,
            )  # fmt: skip
            return {
                "report": report,
                "participants_reached": values["participants"] or 0,
                "volunteers_involved": values["volunteers"] or 0,
            }
        return {}
