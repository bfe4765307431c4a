"""What a letter says: the facts of the case, per kind of letter, gathered for its template.

A letter is rendered from the case and from the transition record that made it (its
``reason`` and ``payload``): the grounds of a rejection, the hearing held or the § 19,
stk. 2 exception relied on (``payload["hearing"]``), the meeting's date of a committee
decision (``payload["decision_date"]``), the repayment claim. A committee decision also
cites the round's criteria its recommendation rested on (the latest ``recommend`` record's
``payload["criteria"]``). The record's payload is
written by several parts of the flow; anything missing or malformed in it is left out
of the letter rather than guessed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.models import (
    Application,
    DocumentKind,
    HearingGround,
    RepaymentClaim,
    RoundCondition,
    RoundCriterion,
    Scheme,
    UsageReport,
)
from cases.trail.chain import jsonable
from cases.trail.models import TransitionRecord

K = DocumentKind
DECISION_KINDS = frozenset({K.GRANT, K.PARTIAL_GRANT, K.REFUSAL})
OUTCOMES: dict[str, str] = {K.GRANT: "full", K.PARTIAL_GRANT: "partial", K.REFUSAL: "refusal"}
# The template each kind is written with (templates/letters/).
TEMPLATES: dict[str, str] = {
    K.REJECTION: "letters/rejection.html",
    K.REFUSAL: "letters/decision.html",
    K.PARTIAL_GRANT: "letters/decision.html",
    K.GRANT: "letters/decision.html",
    K.REPORT_RETURNED: "letters/report_returned.html",
    K.REPAYMENT_CLAIM: "letters/repayment_claim.html",
}


@dataclass
class Facts:
    """What the transition recorded: its reason (None: read it from the case) and payload."""

    reason: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, record: TransitionRecord | None) -> Facts:
        if record is None:
            return cls()
        return cls(reason=record.reason, payload=dict(record.payload or {}))

    @classmethod
    def to_record(cls, reason: str, **payload: Any) -> Facts:
        """What the record a transition is about to write will hold (the same text for each
        value): its letter is then written once, before the record that names it."""
        return cls(reason=reason, payload=jsonable(payload))


def decision_kind(application: Application) -> str:
    """Grant, partial grant or refusal, from the amounts the decision recorded."""
    if application.decided_at is None or application.granted_amount is None:
        raise ValueError(f"Application {application.case_number} has not been decided.")
    granted = application.granted_amount
    requested = application.amount_requested or Decimal("0")
    if granted <= 0:
        return K.REFUSAL
    return K.GRANT if granted >= requested else K.PARTIAL_GRANT


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _ground_label(code: Any) -> str:
    try:
        return str(HearingGround(code).label)
    except ValueError:
        return ""


def hearing_context(value: Any) -> dict[str, Any] | None:
    """``payload["hearing"]`` as the letter states it: a hearing held (answered, or its
    deadline passed) or the § 19, stk. 2 exception relied on; None if there is none."""
    if not isinstance(value, dict):
        return None
    if value.get("kind") == "held":
        return {
            "kind": "held",
            "answered": bool(value.get("answered")),
            "ended_on": _date(value.get("ended_on")),
        }
    if value.get("kind") == "exception":
        return {
            "kind": "exception",
            # The ground as the statute's words in the letter's language, never its code.
            "ground": _ground_label(value.get("ground")),
            "reason": str(value.get("reason") or ""),
        }
    return None


@dataclass
class Officer:
    name: str
    email: str


# The record of the case's acceptance, with who accepted it: read by every decision letter,
# compiled once (cases/compiled.py).
SCREENED_BY = Compiled(
    lambda application: (
        TransitionRecord.objects.filter(application_id=application, transition="accept")
        .select_related("actor")
        .order_by("-seq")[:1]
    ),
    "application",
)


def case_officer(application: Application, kind: str, acting_user: Any) -> Officer | None:
    """Who handled the case: the acting case officer, or for a decision by the committee the
    case officer who screened the application (the record of its acceptance)."""
    user = acting_user
    name = ""
    if kind in DECISION_KINDS and not application.round.decided_by_administration:
        found = SCREENED_BY.objects(application=application.pk)
        if not found:
            return None
        user, name = found[0].actor, found[0].actor_name
    if user is None:
        return None
    return Officer(name=user.get_full_name() or name or user.get_username(), email=user.email or "")


# The round's criteria in their order, compiled once: every decision letter reads them. (The
# model's ordering starts with the round, which would join the round to sort one round's.)
CRITERIA = Compiled(
    lambda grant_round: RoundCriterion.objects.filter(round_id=grant_round).order_by(
        "position", "id"
    ),
    "grant_round",
)


def round_criteria(grant_round: Any) -> list[RoundCriterion]:
    """The round's criteria in order: as prefetched, if the caller did, else one query."""
    prefetched = getattr(grant_round, "_prefetched_objects_cache", {}).get("criteria")
    if prefetched is not None:
        return list(prefetched)
    return CRITERIA.objects(grant_round=grant_round.pk)


def _common(application: Application, kind: str, facts: Facts, acting_user: Any) -> dict[str, Any]:
    grant_round = application.round
    municipality = application.municipality
    hearing = hearing_context(facts.payload.get("hearing"))
    return {
        "kind": kind,
        "application": application,
        "municipality": municipality,
        "association": application.association,
        "grant_round": grant_round,
        "section": "79" if grant_round.scheme == Scheme.S79 else "18",
        "criteria": round_criteria(grant_round),
        "officer": case_officer(application, kind, acting_user),
        # Dated when it is written (and sent), in Copenhagen: not when the case was decided.
        "letter_date": timezone.localdate(),
        "hearing": hearing,
        "complaint_guidance": "" if kind == K.GRANT else municipality.complaint_text(kind),
    }


def cited_criteria(
    application: Application, criteria: list[RoundCriterion]
) -> list[tuple[int, RoundCriterion]]:
    """The round's criteria (``criteria``, in order) that the council's latest recommendation
    on the case cited, each with its number in the letter's list; none if it cited none.

    The latest: a case sent back is recommended again before it can be decided, and only
    that recommendation is the one the decision followed. Ids that are not the round's
    criteria (a criterion deleted since) are left out rather than guessed.
    """
    record = (
        TransitionRecord.objects.filter(application=application, transition="recommend")
        .order_by("-seq")
        .only("payload")
        .first()
    )
    payload = (record.payload if record else None) or {}
    ids = payload.get("criteria")
    if not isinstance(ids, list):
        return []
    wanted = {i for i in ids if isinstance(i, int)}
    return [(n, c) for n, c in enumerate(criteria, start=1) if c.pk in wanted]


def _decision(
    application: Application, kind: str, facts: Facts, criteria: list[RoundCriterion]
) -> dict[str, Any]:
    if kind != K.GRANT and not application.decision_reasons.strip():
        raise ValueError(
            f"The decision on {application.case_number} grants less than requested "
            "and gives no reasons; forvaltningsloven § 22 requires them."
        )
    grant_round = application.round
    committee = not grant_round.decided_by_administration
    # A decision after the council's recommendation cites the criteria it rested on; a quick
    # pool's has no recommendation to cite.
    recommended = grant_round.council_recommends
    cited = cited_criteria(application, criteria) if recommended and criteria else []
    return {
        "outcome": OUTCOMES[kind],
        "cited_criteria": cited,
        "cited_ids": {c.pk for _n, c in cited},
        "council": application.municipality.council_name,
        "decider": application.municipality.committee_name
        if committee
        else _("The administration"),
        "decision_date": _date(facts.payload.get("decision_date")) if committee else None,
        # The administration decided after the council's recommendation (§ 79's flow).
        "after_recommendation": recommended and not committee,
        "requested": application.amount_requested or Decimal("0"),
        "granted": application.granted_amount,
        "reasons": application.decision_reasons,
    }


def _rejection(application: Application, facts: Facts) -> dict[str, Any]:
    payload = facts.payload
    ids = [i for i in payload.get("ground_conditions") or [] if isinstance(i, int)]
    conditions = list(RoundCondition.objects.filter(round_id=application.round_id, pk__in=ids))
    received = application.received_at or application.submitted_at
    return {
        "reasons": application.screening_note if facts.reason is None else facts.reason,
        "ground_late": bool(payload.get("ground_late")),
        "received": timezone.localtime(received) if received else None,
        "deadline": timezone.localtime(application.round.deadline),
        "ground_conditions": conditions,
        "ground_other": str(payload.get("ground_other") or ""),
        "all_conditions": list(application.round.conditions.all()),
    }


def _report_returned(application: Application, facts: Facts) -> dict[str, Any]:
    reports = UsageReport.objects.filter(application=application)
    report_id = facts.payload.get("report")
    report = (reports.filter(pk=report_id) if report_id else reports.order_by("-pk")).first()
    reasons = (
        facts.reason if facts.reason is not None else (report.review_reasons if report else "")
    )
    return {"report": report, "reasons": reasons}


def _repayment(application: Application, facts: Facts) -> dict[str, Any]:
    # The approval's note stays internal (cases.trail.disclosure): the letter gives the
    # claim's own reasons, from the report.
    claims = RepaymentClaim.objects.filter(application=application).select_related("report")
    claim_id = facts.payload.get("repayment_claim")
    claim = (claims.filter(pk=claim_id) if claim_id else claims.order_by("-pk")).first()
    if claim is None:
        raise ValueError(f"Application {application.case_number} has no repayment claim.")
    municipality = application.municipality
    return {
        "claim": claim,
        "report": claim.report,
        "granted": application.granted_amount or Decimal("0"),
        "spent": claim.report.amount_spent,
        "payee": municipality.payee_name or municipality.name,
        "has_account": bool(
            (municipality.bank_registration and municipality.bank_account) or municipality.iban
        ),
    }


def letter_context(
    application: Application, kind: str, *, facts: Facts, acting_user: Any
) -> dict[str, Any]:
    """Everything the template of ``kind`` needs. Call it in the letter's language."""
    context = _common(application, kind, facts, acting_user)
    if kind in DECISION_KINDS:
        context.update(_decision(application, kind, facts, context["criteria"]))
    elif kind == K.REJECTION:
        context.update(_rejection(application, facts))
    elif kind == K.REPORT_RETURNED:
        context.update(_report_returned(application, facts))
    elif kind == K.REPAYMENT_CLAIM:
        context.update(_repayment(application, facts))
    else:
        raise ValueError(f"No letter of kind {kind!r}.")
    return context


def letter_title(application: Application, kind: str) -> str:
    """The document's title, in the active language."""
    titles: dict[str, str] = {
        K.REJECTION: _("Rejection, case %(case)s"),
        K.REFUSAL: _("Decision letter, case %(case)s"),
        K.PARTIAL_GRANT: _("Decision letter, case %(case)s"),
        K.GRANT: _("Decision letter, case %(case)s"),
        K.REPORT_RETURNED: _("Usage report returned, case %(case)s"),
        K.REPAYMENT_CLAIM: _("Repayment claim, case %(case)s"),
    }
    return titles[kind] % {"case": application.case_number}
