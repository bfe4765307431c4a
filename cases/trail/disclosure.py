"""What of a case's transition records its applicant is shown: one policy, for every channel.

The municipality's staff (case officers, the council, the committee, the auditor) read
every record as it is stored. The association's users read what concerns their case
and its decision: each step with its date and status change, the outcome and the
amounts, the reasons given to them, the questions asked and their own answers and
reports, and who decided — the council or the committee as a body, the case officer
by name (the decision letter names them too).

They are not shown the body's internal workings: conflict-of-interest declarations
and the chair's rulings on them (who, why), who was present, who was conflicted, how
the members voted, the screening and approval notes, the committee's reasons for
sending a case back or for exceeding the pool, and the chain's hashes (a hash over a
record with a handful of unknown small numbers can be reversed by trying them all).

The policy is an allow-list by transition: a step not named here is not shown, and of
a step shown only the payload keys named are. A new payload key therefore stays
internal until someone decides it concerns the association
(tests/hardening/test_privacy.py checks that every transition of every flow is named).

The case page (web/applications), the API trail (api/) and anything else that shows an
applicant a case's history call ``disclosed_records``; nothing else decides this.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cases import roles
from cases.models import APPLICANT_CHANNELS, Application, Body, Role
from cases.trail.models import TransitionRecord

# transition -> the payload keys the association is shown. Absent: the step is not shown.
SHOWN_PAYLOAD: dict[str, frozenset[str]] = {
    "submit": frozenset({"amount_requested", "paper", "received_at"}),
    "request_info": frozenset(),
    "provide_info": frozenset({"question", "documents"}),
    "accept": frozenset(),
    # The grounds and the letter stating them, as sent to the association; the hearing.
    "reject": frozenset({"letter", "ground_late", "ground_conditions", "ground_other", "hearing"}),
    # The hearing it ended, if the case was in hearing (the association's own).
    "withdraw": frozenset({"hearing"}),
    # The council's recommendation as the case page shows it, with the round's criteria
    # it rests on (part of its reasons); not who was present, who was conflicted, nor the
    # members' individual assessments (votes).
    "recommend": frozenset({"outcome", "amount", "requested", "criteria"}),
    # Issue 20: neither shows ``allocation`` (the allocation assistant's method, proposal and
    # the chair's changes): the bodies' working of the pool, like the votes; the letters
    # and the reasons say what concerns the association.
    # Not the meeting's id, nor the pool-overrun confirmation (the committee's budget).
    "decide": frozenset({"outcome", "amount", "requested", "recommended", "letter", "hearing"}),
    "decide_directly": frozenset({"outcome", "amount", "requested", "letter", "hearing"}),
    # The hearing (fvl. § 19) is the association's own: all of it.
    "start_hearing": frozenset({"hearing", "concerns", "deadline", "returns_to"}),
    "answer_hearing": frozenset({"hearing", "attachments"}),
    "end_hearing": frozenset({"hearing", "outcome", "deadline"}),
    # The case went back to the council; the earlier recommendation and the committee's
    # note to the council are the bodies' business.
    "send_back": frozenset(),
    "pay": frozenset({"amount", "paid_on", "reference", "payout", "paid_total"}),
    "submit_report": frozenset(
        {
            "report",
            "amount_spent",
            "paid",
            "unspent",
            "requirement",
            "participants_reached",
            "volunteers_involved",
            "lines",
            "attachments",
        }
    ),
    "return_report": frozenset({"report", "letter"}),
    "approve_report": frozenset(
        {
            "report",
            "unspent",
            "settlement",
            "repayment_claim",
            "repayment_due",
            "carry_over",
            "carry_over_reason",
            "payment_reference",
            "letter",
        }
    ),
    "register_repayment": frozenset({"repayment_claim", "amount", "paid_on", "reference"}),
    "anonymise": frozenset({"fields", "cutoff"}),
    # A file note, only if made visible to the association (SHOWN_WHEN); not which note it
    # corrects (that one may be internal).
    "file_note": frozenset({"concerns", "occurred_on"}),
    # A document the association sent itself (SHOWN_WHEN), with its fingerprint.
    "receive_document": frozenset(
        {"document", "name", "size", "sha256", "received_via", "received_on"}
    ),
    # That the files were deleted and when; not the list (names, sizes, hashes).
    "remove_files": frozenset({"cutoff"}),
    # Issue 17: a message on the case, written to or by the association; its text is the
    # message's own row (the thread shows it), the record holds its fingerprint.
    "send_message": frozenset({"message", "sent_as", "length"}),
    # Issue 18: the payout went to the finance system: its amount and payment date (the
    # association sees the payout on its case already); not the run, file or fingerprint.
    "hand_over_payment": frozenset({"amount", "paid_on"}),
}

# Steps whose reason text is addressed to the association or written by it. Others carry
# internal notes (the screening note, the approval note, a note to the council).
SHOWN_REASON = frozenset(
    {
        "request_info",  # the question asked
        "provide_info",  # their answer
        "reject",  # the reasons sent with the rejection
        "withdraw",  # their own reason
        "recommend",  # the council's reasons, shown on the case page as well
        "decide",  # the reasons in the decision letter
        "decide_directly",
        "return_report",  # what they must correct
        "anonymise",
        "file_note",  # the note's text, when it was made visible to them
        "receive_document",  # their own description of what they sent
        "remove_files",
    }
)

# Steps shown only when their record says so; the record is never changed, so neither is
# the answer. Internal notes and documents received from others stay with the staff (they
# remain part of an access request's export: cases/services/case_notes.py).
SHOWN_WHEN: dict[str, Callable[[TransitionRecord], bool]] = {
    "file_note": lambda record: _payload(record).get("visible") is True,
    "receive_document": lambda record: _payload(record).get("received_via") in APPLICANT_CHANNELS,
}

# Case events the association never sees: the members' declarations and the rulings on
# them (forvaltningsloven § 3 is about the body; the member's tie is their own matter).
HIDDEN = frozenset({"declare_conflict", "rule_conflict"})
# Who asked for access to the association's case, and what they were given, is the
# requester's and the municipality's matter (the requester may be a private person).
HIDDEN |= {"access_register", "access_extend", "access_decide", "access_hand_out"}
# Which case officer has the case is the municipality's internal distribution of work
# (issue 17); the association writes to the municipality, and the letters name who decided.
HIDDEN |= {"assign_case"}
# Issue 18: journalising the case and its documents in the municipality's ESDH is its own
# record-keeping; the ESDH's references mean nothing outside it.
HIDDEN |= {"journal_case", "journal_document"}

_COUNCIL_ROLES = frozenset({Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR})
_COMMITTEE_ROLES = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})


@dataclass(frozen=True)
class DisclosedRecord:
    """One transition record as one viewer may see it (the API trail's shape)."""

    seq: int
    flow: str
    transition: str
    from_state: str
    to_state: str
    actor: int | None
    actor_name: str
    role: str
    created_at: datetime.datetime
    reason: str
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
    # The body that acted ("council" / "committee"), when a body did; else "".
    body: str = ""


def sees_whole_trail(user: Any, application: Application) -> bool:
    """The municipality's staff read every record; anyone else (the association) less."""
    return application.municipality_id in roles.profile(user).municipality_ids


def _as_stored(record: TransitionRecord) -> DisclosedRecord:
    return DisclosedRecord(
        seq=record.seq,
        flow=record.flow,
        transition=record.transition,
        from_state=record.from_state,
        to_state=record.to_state,
        actor=record.actor_id,
        actor_name=record.actor_name,
        role=record.role,
        created_at=record.created_at,
        reason=record.reason,
        payload=record.payload,
        prev_hash=record.prev_hash,
        hash=record.hash,
        body=_body(record.role),
    )


def _body(role: str) -> str:
    if role in _COUNCIL_ROLES:
        return str(Body.COUNCIL)
    if role in _COMMITTEE_ROLES:
        return str(Body.COMMITTEE)
    return ""


def body_name(application: Application, body: str) -> str:
    municipality = application.municipality
    return municipality.council_name if body == Body.COUNCIL else municipality.committee_name


def _for_applicant(
    record: TransitionRecord, application: Application, position: int
) -> DisclosedRecord:
    shown = SHOWN_PAYLOAD[record.transition]
    payload = record.payload if isinstance(record.payload, dict) else {}
    body = _body(record.role)
    return DisclosedRecord(
        # Numbered as shown: gaps would tell how many internal events there were.
        seq=position,
        flow=record.flow,
        transition=record.transition,
        from_state=record.from_state,
        to_state=record.to_state,
        actor=None,
        # A body decides as a body: its name, not its chair's.
        actor_name=body_name(application, body) if body else record.actor_name,
        role="" if body else record.role,
        created_at=record.created_at,
        reason=record.reason if record.transition in SHOWN_REASON else "",
        payload={key: value for key, value in payload.items() if key in shown},
        body=body,
    )


def _payload(record: TransitionRecord) -> dict[str, Any]:
    return record.payload if isinstance(record.payload, dict) else {}


def is_shown_to_applicant(record: TransitionRecord) -> bool:
    if record.transition not in SHOWN_PAYLOAD or record.transition in HIDDEN:
        return False
    when = SHOWN_WHEN.get(record.transition)
    return when is None or when(record)


def disclosed_records(
    user: Any, application: Application, records: Iterable[TransitionRecord]
) -> list[DisclosedRecord]:
    """``records`` (the application's, oldest first) as ``user`` may see them."""
    if sees_whole_trail(user, application):
        return [_as_stored(record) for record in records]
    shown = [record for record in records if is_shown_to_applicant(record)]
    return [
        _for_applicant(record, application, position)
        for position, record in enumerate(shown, start=1)
    ]
