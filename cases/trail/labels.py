"""What every recorded field and payload key is called in the trail, in Danish and English.

Two registries, read by ``cases.trail.values`` (which renders the values):

- ``field_label(model, name)``: a model field's ``verbose_name`` where the model gives
  one; otherwise (Django's default, the attribute name with spaces: "submitted at")
  the label in ``FIELD_LABELS`` — per model first, then by field name for all models.
- ``PAYLOAD_KEYS``: every key a transition record's payload may hold, with its label
  and how its value reads (money, a date, a meeting, a list of users …).

Adding a model with history or a payload key: add its labels here (with pgettext
context "trail", so no other text's translation is touched) and the Danish below the
part's marker in the .po. ``tests/cases/test_trail_labels.py`` walks every history
model's fields and every key a case's whole life writes, and names what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


def _t(text: str) -> Promise:
    return pgettext_lazy("trail", text)


# By field name, for every model whose field has no verbose_name of its own.
COMMON_FIELD_LABELS: dict[str, Promise] = {
    "municipality": _t("Municipality"),
    "round": _t("Grant round"),
    "association": _t("Association"),
    "application": _t("Application"),
    "user": _t("User"),
    "member": _t("Member"),
    "meeting": _t("Meeting"),
    "report": _t("Usage report"),
    "budget_line": _t("Budget line"),
    "status": _t("Status"),
    "position": _t("Order"),
    "content_type": _t("File type"),
    "uploaded_by": _t("Uploaded by"),
    "uploaded_at": _t("Uploaded"),
    "registered_by": _t("Registered by"),
    "registered_at": _t("Registered"),
    "submitted_by": _t("Submitted by"),
    "submitted_at": _t("Submitted"),
    "created_by": _t("Created by"),
    "approved_by": _t("Approved by"),
    "approved_at": _t("Approved"),
    "ruled_by": _t("Ruled by"),
    "source": _t("Source"),
    "kind": _t("Kind"),
    "title": _t("Title"),
    "hearing": _t("Hearing"),
    "started_by": _t("Started by"),
    "answered_by": _t("Answered by"),
    "ended_by": _t("Ended by"),
    "score": _t("Score"),
}

# Per model ("app_label.modelname"), where a name means something of its own there.
FIELD_LABELS: dict[str, dict[str, Promise]] = {
    "cases.municipality": {"iban": _t("IBAN (international account number)")},
    "cases.application": {
        "screening_note": _t("Screening note"),
        "open_question": _t("Open question to the association"),
        "recommendation_outcome": _t("Council's recommendation"),
        "recommended_amount": _t("Recommended amount"),
        "recommendation_reasons": _t("Reasons for the recommendation"),
        "granted_amount": _t("Granted amount"),
        "decision_reasons": _t("Reasons for the decision"),
        "decided_at": _t("Decided"),
        "closed_at": _t("Closed"),
        "registered_by": _t("Registered on paper by"),
        "focus_areas": _t("Focus areas"),
        "target_groups": _t("Target groups"),
    },
    "cases.grantround": {"flow": _t("Flow")},
    "cases.feedbacksummary": {
        "sent_by": _t("Sent by"),
        "sent_by_name": _t("Sent by (name at the time)"),
    },
    "cases.document": {
        "pdf": _t("Letter (PDF)"),
        "html": _t("Letter text"),
        "kind": _t("Kind of document"),
    },
}


def field_label(model: type[models.Model], name: str) -> str:
    """The field's label in the active language; the attribute name if none is known."""
    own = FIELD_LABELS.get(model._meta.label_lower, {}).get(name)
    if own is not None:
        return str(own)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a name the model no longer has reads as itself
        field = None
    verbose = getattr(field, "verbose_name", None)
    if verbose is not None and str(verbose) != name.replace("_", " "):
        text = str(verbose)
        return text[:1].upper() + text[1:]
    common = COMMON_FIELD_LABELS.get(name)
    return str(common) if common is not None else name


def has_label(model: type[models.Model], name: str) -> bool:
    """Whether ``field_label`` knows the field (and does not fall back to its name)."""
    if name in FIELD_LABELS.get(model._meta.label_lower, {}) or name in COMMON_FIELD_LABELS:
        return True
    try:
        verbose = model._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return False
    return verbose is not None and str(verbose) != name.replace("_", " ")


@dataclass(frozen=True)
class PayloadKey:
    """A payload key: its label and how its value reads (``values.render_payload``).

    ``kind`` is one of: text, int, bool, money, date, datetime, choice (``choices``),
    user, users, model (``model``: "app_label.Model", shown by name), models (a list of
    them), assessments,
    lines, attachments, overrun, recommendation, fields, hearing, vote, allocation.
    """

    label: Promise
    kind: str = "text"
    model: str = ""
    choices: str = ""


PAYLOAD_KEYS: dict[str, PayloadKey] = {
    # submit
    "amount_requested": PayloadKey(_t("Amount requested"), "money"),
    "paper": PayloadKey(_t("Paper application"), "bool"),
    "received_at": PayloadKey(_t("Received"), "datetime"),
    # questions
    "question": PayloadKey(_t("Question")),
    # recommend, decide
    "outcome": PayloadKey(_t("Outcome"), "choice", choices="outcome"),
    "amount": PayloadKey(_t("Amount"), "money"),
    "requested": PayloadKey(_t("Amount requested"), "money"),
    "recommended": PayloadKey(_t("Recommended amount"), "money"),
    "meeting": PayloadKey(_t("Meeting"), "model", model="cases.Meeting"),
    "present": PayloadKey(_t("Present"), "users"),
    "conflicted": PayloadKey(_t("Disqualified"), "users"),
    "assessments": PayloadKey(_t("The members' assessments"), "assessments"),
    "letter": PayloadKey(_t("Letter"), "model", model="cases.Document"),
    "overrun": PayloadKey(_t("Pool exceeded"), "overrun"),
    "previous_recommendation": PayloadKey(_t("Earlier recommendation"), "recommendation"),
    # payouts
    "paid_on": PayloadKey(_t("Paid on"), "date"),
    "reference": PayloadKey(_t("Payment reference")),
    "payout": PayloadKey(_t("Payout"), "model", model="cases.Payout"),
    "paid_total": PayloadKey(_t("Paid in all"), "money"),
    # usage reports
    "report": PayloadKey(_t("Usage report"), "model", model="cases.UsageReport"),
    "amount_spent": PayloadKey(_t("Amount spent"), "money"),
    "paid": PayloadKey(_t("Paid out"), "money"),
    "unspent": PayloadKey(_t("Unspent balance"), "money"),
    "requirement": PayloadKey(_t("Reporting required"), "choice", choices="requirement"),
    "participants_reached": PayloadKey(_t("Participants reached"), "int"),
    "volunteers_involved": PayloadKey(_t("Volunteers involved"), "int"),
    "lines": PayloadKey(_t("Accounts by budget line"), "lines"),
    "attachments": PayloadKey(_t("Attachments"), "attachments"),
    "settlement": PayloadKey(_t("Settlement of the balance"), "choice", choices="settlement"),
    "repayment_claim": PayloadKey(_t("Repayment claim"), "model", model="cases.RepaymentClaim"),
    "repayment_due": PayloadKey(_t("Repayment due"), "date"),
    "carry_over": PayloadKey(_t("Carry-over"), "model", model="cases.CarryOver"),
    "carry_over_reason": PayloadKey(_t("Reasons for the carry-over")),
    # conflicts of interest
    "member": PayloadKey(_t("Member"), "user"),
    "ruling": PayloadKey(_t("Ruling"), "choice", choices="ruling"),
    "declared_as": PayloadKey(_t("Declared as"), "choice", choices="role"),
    "ruled_by": PayloadKey(_t("Ruled on by"), "choice", choices="ruled_by"),
    "participants": PayloadKey(_t("Took part in the ruling"), "users"),
    # the letters: a rejection's grounds, a repayment claim's reference
    "ground_late": PayloadKey(_t("Received after the deadline"), "bool"),
    "ground_conditions": PayloadKey(
        _t("Conditions of eligibility not met"), "models", model="cases.RoundCondition"
    ),
    # file notes and documents received (cases/services/case_notes.py, case_documents.py)
    "note": PayloadKey(_t("File note"), "model", model="cases.FileNote"),
    "concerns": PayloadKey(_t("Concerns"), "choice", choices="concerns"),
    "occurred_on": PayloadKey(_t("Took place"), "date"),
    "visible": PayloadKey(_t("Visible to the association"), "bool"),
    "corrects": PayloadKey(_t("Corrects the note"), "model", model="cases.FileNote"),
    "document": PayloadKey(_t("Document"), "model", model="cases.ReceivedDocument"),
    "name": PayloadKey(_t("File name")),
    "size": PayloadKey(_t("Size (bytes)"), "int"),
    "sha256": PayloadKey(_t("Fingerprint (SHA-256)")),
    "received_via": PayloadKey(_t("Received"), "choice", choices="received_via"),
    "received_on": PayloadKey(_t("Received on"), "date"),
    "documents": PayloadKey(_t("Documents sent")),
    # messages on the case (issue 17: cases/services/case_messages.py)
    "message": PayloadKey(_t("Message"), "model", model="cases.CaseMessage"),
    "sent_as": PayloadKey(_t("Written for"), "choice", choices="sent_as"),
    "length": PayloadKey(_t("Length (characters)"), "int"),
    # requests for access to documents (cases/services/access_requests.py)
    "access_request": PayloadKey(
        _t("Request for access to documents"), "model", model="cases.AccessRequest"
    ),
    "extended_until": PayloadKey(_t("Extended until"), "date"),
    "decision": PayloadKey(_t("Decision"), "choice", choices="access_decision"),
    "redactions": PayloadKey(_t("Left out")),
    # recommend: the round's criteria it rests on
    "criteria": PayloadKey(_t("Criteria it rests on"), "models", model="cases.RoundCriterion"),
    "ground_other": PayloadKey(_t("Other formal ground")),
    "payment_reference": PayloadKey(_t("Payment reference")),
    # retention
    "fields": PayloadKey(_t("Data removed"), "fields"),
    "association_history_rows": PayloadKey(_t("Earlier versions anonymised"), "int"),
    "association_current": PayloadKey(_t("The association's current contact"), "bool"),
    "notifications": PayloadKey(_t("Messages anonymised"), "int"),
    "cutoff": PayloadKey(_t("Finished before"), "datetime"),
    "removed_files": PayloadKey(_t("Files removed (name, size, SHA-256)"), "removed_files"),
    # issue 16's contracts between the parts (hearing, votes, decision date)
    "hearing": PayloadKey(_t("Hearing of the association"), "hearing"),
    "vote": PayloadKey(_t("Vote"), "vote"),
    "minority": PayloadKey(_t("Minority statement")),
    "decision_date": PayloadKey(_t("Decision date"), "date"),
    # issue 18: hand-overs to the journal (ESDH) and the finance system (cases/handover/)
    "target": PayloadKey(_t("Handed over to")),
    "journal_reference": PayloadKey(_t("Journal reference")),
    "kle": PayloadKey(_t("KLE number")),
    "journal_document": PayloadKey(_t("Document in the journal")),
    "version": PayloadKey(_t("Version number"), "int"),
    "payment_run": PayloadKey(_t("Payment run"), "model", model="cases.PaymentRun"),
    # issue 20: the allocation assistant's proposal a recommendation / decision was filled from
    "allocation": PayloadKey(_t("Allocation proposal"), "allocation"),
}


def payload_label(key: str) -> str:
    known = PAYLOAD_KEYS.get(key)
    return str(known.label) if known is not None else key


def choice_labels() -> dict[str, dict[str, str]]:
    """The value labels of the payload keys of kind "choice" (read at render time)."""
    from cases.models import (
        AccessDecision,
        ConflictRuling,
        NoteConcerns,
        ReceivedVia,
        ReportRequirement,
        Role,
        SentAs,
    )

    return {
        # The council recommends and the committee decides with the same three words.
        "outcome": {
            "grant": str(_t("Grant in full")),
            "partial": str(_t("Grant in part")),
            "refuse": str(_t("Refusal")),
        },
        "requirement": {str(k): str(v) for k, v in ReportRequirement.choices},
        "ruling": {str(k): str(v) for k, v in ConflictRuling.choices},
        "role": {str(k): str(v) for k, v in Role.choices},
        "concerns": {str(k): str(v) for k, v in NoteConcerns.choices},
        "received_via": {str(k): str(v) for k, v in ReceivedVia.choices},
        "sent_as": {str(k): str(v) for k, v in SentAs.choices},
        "access_decision": {str(k): str(v) for k, v in AccessDecision.choices},
        "ruled_by": {
            "council": str(_t("The volunteer council")),
            "committee": str(_t("The committee")),
            "manager": str(_t("The manager")),
        },
        "settlement": {
            "repayment": str(_t("Claimed back")),
            "carry_over": str(_t("Carried over")),
        },
    }


def describe(value: Any) -> str:
    """A value of an unknown key: as it is stored, without brackets or quotes."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(describe(v) for v in value)
    return "–" if value in (None, "") else str(value)
