"""The generated applications' lives: which transitions lead to each state, when, by whom.

Pure data and functions (no database): ``benchmarks/loadgen.py`` walks each
application along ``PATHS[status]`` and asks ``step`` what the transition changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64

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


@dataclass
class People:
    officers: list[tuple[int, str]]
    council: list[tuple[int, str]]
    council_chair: tuple[int, str]
    committee: list[tuple[int, str]]
    committee_chair: tuple[int, str]
    auditor: tuple[int, str]


def canonical_hash(body: dict[str, Any]) -> str:
    # The same bytes TransitionRecord.canonical() produces.
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def step(
    name: str,
    values: dict[str, Any],
    people: People,
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
