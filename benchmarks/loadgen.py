"""Generated load: municipalities with years of rounds, applications in every state.

Used by ``manage.py generate_load`` and the benchmarks. Rows are written in bulk
(PostgreSQL ``COPY``; plain multi-row INSERTs on SQLite) under
``unaudited_writes_allowed()``, so the generator writes the model history itself:
one ``+`` row per created object and one ``~`` row per transition save of an
application, exactly as ``save()`` would have. Transition records carry the same
hash chain ``cases.trail.chain.record_transition`` computes, so ``verify_trail``
passes on the generated data.

Generation is additive: each run adds municipalities (numbered after the ones a
previous run made) until ``municipalities`` exist, so a benchmark can grow the
same database from 1,000 to 300,000 applications without regenerating.
Municipality *k* always gets the same data for the same seed (dates relative to the run).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

NAME_PREFIX = "Lastkommune"
GENESIS = "0" * 64
# An unusable password (the "!" prefix make_password(None) also uses): nobody logs in.
UNUSABLE_PASSWORD = "!generated-load-user"  # noqa: S105

# State -> the application-flow transitions that lead there (after the draft).
PATHS: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submit"],
    "info_requested": ["submit", "request_info"],
    "ineligible": ["submit", "reject"],
    "withdrawn": ["submit", "withdraw"],
    "in_council_review": ["submit", "accept"],
    "recommended": ["submit", "accept", "recommend"],
    "granted": ["submit", "accept", "recommend", "decide"],
    "refused": ["submit", "accept", "recommend", "decide"],
    "paid": ["submit", "accept", "recommend", "decide", "pay"],
    "report_submitted": ["submit", "accept", "recommend", "decide", "pay", "submit_report"],
    "closed": [
        "submit",
        "accept",
        "recommend",
        "decide",
        "pay",
        "submit_report",
        "approve_report",
    ],
}
TARGET = {
    "submit": "submitted",
    "request_info": "info_requested",
    "provide_info": "submitted",
    "reject": "ineligible",
    "withdraw": "withdrawn",
    "accept": "in_council_review",
    "recommend": "recommended",
    "pay": "paid",
    "submit_report": "report_submitted",
    "approve_report": "closed",
}
# Days after the round's deadline each step happens (the submit is before it).
DAY_OF = {
    "request_info": 3,
    "provide_info": 6,
    "reject": 7,
    "withdraw": 8,
    "accept": 9,
    "recommend": 20,
    "decide": 40,
    "pay": 50,
    "submit_report": 60,
    "approve_report": 70,
}
# How the applications of a round are spread over the states, by the round's age.
MIX_PAST = {
    "closed": 55,
    "report_submitted": 1,
    "paid": 2,
    "granted": 2,
    "refused": 28,
    "ineligible": 7,
    "withdrawn": 5,
}
MIX_PREVIOUS = {
    "closed": 15,
    "report_submitted": 10,
    "paid": 30,
    "granted": 5,
    "refused": 27,
    "ineligible": 8,
    "withdrawn": 5,
}
MIX_CURRENT = {
    "draft": 5,
    "submitted": 15,
    "info_requested": 8,
    "in_council_review": 20,
    "recommended": 15,
    "granted": 8,
    "refused": 7,
    "ineligible": 5,
    "withdrawn": 3,
    "paid": 8,
    "report_submitted": 4,
    "closed": 2,
}
CASE_OFFICERS, COUNCIL, COMMITTEE = 2, 5, 3
ASSESSMENTS_PER_APPLICATION = 3
BATCH = 20_000


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


@dataclass
class _Table:
    model: type[models.Model]
    columns: list[models.Field]
    defaults: dict[str, Any]
    pk: str
    next_id: int
    names: list[str]
    converters: list[tuple[int, Callable[[Any], Any]]]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    written: int = 0


class Sink:
    """Buffers rows per table, assigns ids itself and writes them in bulk.

    Ids are handed out from MAX(id) + 1, so a row can be referenced before it is
    written; the sequences are moved past them at the end (``close``).
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tables: dict[type[models.Model], _Table] = {}
        self.historical: dict[type[models.Model], type[models.Model]] = {}
        self.postgres = connection.vendor == "postgresql"

    def _table(self, model: type[models.Model]) -> _Table:
        table = self.tables.get(model)
        if table is not None:
            return table
        meta = model._meta
        columns = list(meta.concrete_fields)
        defaults: dict[str, Any] = {}
        for f in columns:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = self.now
            elif f.null:
                defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                defaults[f.attname] = ""
        pk = meta.pk.attname
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT COALESCE(MAX("{meta.pk.column}"), 0) FROM "{meta.db_table}"'  # noqa: S608
            )
            (highest,) = cursor.fetchone()
        converters = [
            (i, convert)
            for i, f in enumerate(columns)
            if (convert := self._converter(f)) is not None
        ]
        names = [f.attname for f in columns]
        table = _Table(model, columns, defaults, pk, highest + 1, names, converters)
        self.tables[model] = table
        return table

    def _converter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """None: psycopg takes the Python value as it is (COPY adapts it)."""
        if self.postgres:
            if isinstance(f, models.JSONField):
                from psycopg.types.json import Jsonb

                return lambda v: None if v is None else Jsonb(v)
            return None
        return lambda v: f.get_db_prep_save(v, connection)

    def reserve(self, model: type[models.Model]) -> int:
        """An id for a row that is added later (once all its fields are known)."""
        table = self._table(model)
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[models.Model], **values: Any) -> int:
        """Buffer one row of ``model``; returns its id."""
        table = self._table(model)
        if values.get(table.pk) is None:
            values[table.pk] = table.next_id
            table.next_id += 1
        merged = {**table.defaults, **values}
        try:
            row = [merged[name] for name in table.names]
        except KeyError as missing:
            raise KeyError(f"{model.__name__}.{missing.args[0]} needs a value") from None
        for index, convert in table.converters:
            row[index] = convert(row[index])
        table.rows.append(tuple(row))
        if len(table.rows) >= BATCH:
            self.flush(table)
        return int(values[table.pk])

    def created(
        self, model: type[models.Model], *, at: datetime, user: tuple[int, str], **values: Any
    ) -> int:
        """Add an object and its ``+`` history row; returns the object's id."""
        pk = self.add(model, **values)
        self.history(model, {**values, "id": pk}, "+", at, user)
        return pk

    def history(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        kind: str,
        at: datetime,
        user: tuple[int, str],
    ) -> None:
        historical = self.historical.get(model)
        if historical is None:
            # Each access to ``model.history`` builds a new manager class: look it up once.
            historical = self.historical[model] = model.history.model  # type: ignore[attr-defined]
        self.add(
            historical,
            **values,
            history_date=at,
            history_type=kind,
            history_change_reason=None,
            history_user_id=user[0],
            history_user_name=user[1],
        )

    # Table and column names in the SQL below come from the models' metadata, never from input.
    def flush(self, table: _Table) -> None:
        if not table.rows:
            return
        meta = table.model._meta
        names = ", ".join(f'"{f.column}"' for f in table.columns)
        if self.postgres:
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f'COPY "{meta.db_table}" ({names}) FROM STDIN') as copy:
                    for row in table.rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(table.columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks})',  # noqa: S608
                    table.rows,
                )
        table.written += len(table.rows)
        table.rows = []

    def flush_all(self) -> None:
        for table in self.tables.values():
            self.flush(table)

    def close(self) -> dict[str, int]:
        self.flush_all()
        if self.postgres:
            with connection.cursor() as cursor:
                for table in self.tables.values():
                    meta = table.model._meta
                    pk_column = meta.pk.column
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{meta.db_table}\"', "  # noqa: S608
                        f"'{pk_column}'), GREATEST(MAX(\"{pk_column}\"), 1)) "
                        f'FROM "{meta.db_table}"'
                    )
        return {t.model._meta.db_table: t.written for t in self.tables.values()}


def _canonical_hash(body: dict[str, Any]) -> str:
    # The same bytes TransitionRecord.canonical() produces.
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _People:
    officers: list[tuple[int, str]]
    council: list[tuple[int, str]]
    council_chair: tuple[int, str]
    committee: list[tuple[int, str]]
    committee_chair: tuple[int, str]
    auditor: tuple[int, str]


class Generator:
    def __init__(self, *, years: int, per_round: int, seed: int, now: datetime) -> None:
        self.years = years
        self.per_round = per_round
        self.seed = seed
        self.now = now.astimezone(UTC)
        self.sink = Sink(self.now)
        self.applications = 0
        self.records = 0
        from cases.trail.history import actor_display_name, system_user

        user = system_user()
        self.system = (int(user.pk), actor_display_name(user))

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

    def _staff(self, municipality: int, k: int, at: datetime) -> _People:
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
        return _People(officers, council, council[0], committee, committee[0], auditor)

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
        people: _People,
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
        people: _People,
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
            actor, role, reason, payload = self._step(
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
            digest = _canonical_hash(body)
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

    def _step(
        self,
        name: str,
        values: dict[str, Any],
        people: _People,
        applicant: tuple[int, str],
        at: datetime,
        granted: Decimal,
        requested: Decimal,
        status: str,
    ) -> tuple[tuple[int, str], str, str, dict[str, Any]]:
        """The application's fields after ``name``; returns actor, role, reason, payload."""
        officer = people.officers[0]
        if name == "submit":
            values["submitted_at"] = at
            payload = {"amount_requested": str(requested), "paper": False, "received_at": None}
            return applicant, "applicant", "", payload
        if name == "request_info":
            values["open_question"] = "Hvor mange frivillige er med?"
            return officer, "case_officer", values["open_question"], {}
        if name == "provide_info":
            question, values["open_question"] = values["open_question"], ""
            return applicant, "applicant", "Vi er 12 frivillige.", {"question": question}
        if name == "reject":
            values["screening_note"] = "Aktiviteten er ikke frivilligt socialt arbejde."
            values["decided_at"] = at
            return officer, "case_officer", values["screening_note"], {}
        if name == "withdraw":
            values["closed_at"] = at
            return applicant, "applicant", "", {}
        if name == "accept":
            values["screening_note"] = "Opfylder kriterierne."
            return officer, "case_officer", values["screening_note"], {}
        if name == "recommend":
            outcome = "refuse" if granted == 0 else "grant" if granted == requested else "partial"
            reason = "" if outcome == "grant" else "Puljen er begrænset."
            values.update(
                recommendation_outcome=outcome,
                recommended_amount=granted,
                recommendation_reasons=reason,
            )
            payload = {
                "outcome": outcome,
                "amount": str(granted),
                "requested": str(requested),
                "present": sorted(p[0] for p in people.council),
                "conflicted": [],
            }
            return people.council_chair, "council_chair", reason, payload
        if name == "decide":
            outcome = "grant" if granted > 0 else "refuse"
            reason = "" if granted == requested else "Som indstillet af Frivillighedsrådet."
            values.update(granted_amount=granted, decision_reasons=reason, decided_at=at)
            payload = {
                "outcome": outcome,
                "amount": str(granted),
                "requested": str(requested),
                "recommended": str(granted),
            }
            return people.committee_chair, "committee_chair", reason, payload
        if name == "pay":
            payload = {"amount": str(granted), "paid_on": at.date().isoformat()}
            return officer, "case_officer", "", payload
        if name == "submit_report":
            return applicant, "applicant", "", {"amount_spent": str(granted)}
        if name == "approve_report":
            values["closed_at"] = at
            return officer, "case_officer", "", {}
        raise ValueError(name)

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


def generate(
    *,
    municipalities: int,
    years: int,
    per_round: int,
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Add municipalities until ``municipalities`` generated ones exist; returns figures."""
    from cases.trail.history import unaudited_writes_allowed

    municipality_model = _model("cases.Municipality")
    existing = municipality_model._default_manager.filter(
        name__startswith=f"{NAME_PREFIX} "
    ).count()
    now = now or datetime.now(UTC)
    generator = Generator(years=years, per_round=per_round, seed=seed, now=now)
    started = time.perf_counter()
    with unaudited_writes_allowed():
        for k in range(existing, municipalities):
            # One transaction per municipality: PostgreSQL queues a deferred foreign-key
            # check per row until the commit, which must not grow with the whole run.
            with transaction.atomic():
                generator.municipality(k)
                generator.sink.flush_all()
            if progress and (k + 1) % 10 == 0:
                progress(
                    f"  {k + 1 - existing} municipalities, {generator.applications:,} "
                    f"applications, {time.perf_counter() - started:.0f} s"
                )
        written = generator.sink.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    rows = sum(written.values())
    return {
        "municipalities_added": max(0, municipalities - existing),
        "applications": generator.applications,
        "transition_records": generator.records,
        "rows": rows,
        "rows_by_table": written,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds) if seconds else 0,
    }


def generated_municipality_ids() -> Iterator[int]:
    """The generated municipalities, in the order they were made."""
    municipality_model = _model("cases.Municipality")
    yield from (
        municipality_model._default_manager.filter(name__startswith=f"{NAME_PREFIX} ")
        .order_by("name")
        .values_list("pk", flat=True)
    )
