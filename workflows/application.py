"""The life of a § 18 application, in one file.

Each transition is one method: the decorator says from where to where, who may
(``permission``) and when (``conditions``); the body validates the input, changes
the application, and records what happened. The engine (``engine.py``) runs a
method inside one transaction with the case row locked, after checking the
permission, because viewflow.fsm itself does not.

    draft ─submit→ submitted ─accept→ in_council_review ─recommend→ recommended ─decide→ granted/refused
    granted ─pay→ paid ─submit_report→ report_submitted ─approve_report→ closed
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.completeness import completeness_problems
from cases.formatting import money
from cases.letters import decision_letter_create
from cases.models import (
    Application,
    ApplicationStatus,
    Assessment,
    Body,
    Payout,
    RecommendationOutcome,
    UsageReport,
)
from notifications.models import Kind
from notifications.selectors import applicants_of, case_officers_of
from notifications.services import notify

from . import meetings, rules
from .errors import ConditionsUnmet, InvalidInput
from .trail import record_transition

S = ApplicationStatus
MAX_COUNT = 2_147_483_647  # the largest value a PositiveIntegerField stores everywhere
BEFORE_DECISION = [S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED]


def _when(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "j. F Y H:i")


# --- conditions: (flow) -> State.CONDITION, evaluated with the row locked ----------------


def round_is_open(flow: ApplicationFlow) -> fsm.State.CONDITION:
    application = flow.application
    grant_round = application.round
    # A paper application counts from when the municipality received it.
    at = application.received_at or timezone.now()
    if at < grant_round.opens_at:
        return fsm.State.CONDITION(
            False, _("The round opens on %(when)s.") % {"when": _when(grant_round.opens_at)}
        )
    if at > grant_round.deadline:
        return fsm.State.CONDITION(
            False,
            _("The deadline for this round was %(when)s.") % {"when": _when(grant_round.deadline)},
        )
    return fsm.State.CONDITION(True)


def is_complete(flow: ApplicationFlow) -> fsm.State.CONDITION:
    problems = completeness_problems(flow.application)
    if problems:
        return fsm.State.CONDITION(
            False,
            _("The application is not complete: %(problems)s.") % {"problems": "; ".join(problems)},
        )
    return fsm.State.CONDITION(True)


def no_overdue_usage_report(flow: ApplicationFlow) -> fsm.State.CONDITION:
    application = flow.application
    overdue = (
        Application.objects.filter(
            association_id=application.association_id,
            municipality_id=application.municipality_id,
            status__in=[S.GRANTED, S.PAID],
            round__report_deadline__lt=timezone.localdate(),
        )
        .values_list("case_number", flat=True)
        .first()
    )
    if overdue:
        return fsm.State.CONDITION(
            False,
            _(
                "The association's usage report for case %(case)s is overdue. "
                "A new application can be submitted once it has been received."
            )
            % {"case": overdue},
        )
    return fsm.State.CONDITION(True)


# --- input helpers ---------------------------------------------------------------------


def _text(value: Any, field: str, message: str, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise InvalidInput({field: [message]})
    return text


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput({field: [_("Enter an amount in kroner, e.g. 12500.")]}) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput({field: [_("The amount cannot be negative.")]})
    if amount >= Decimal("10000000000"):
        raise InvalidInput({field: [_("The amount is too large.")]})
    return amount


def _decide_target(flow: ApplicationFlow, *, outcome: Any = None, **kwargs: Any) -> str:
    if outcome == RecommendationOutcome.GRANT:
        return S.GRANTED
    if outcome == RecommendationOutcome.REFUSE:
        return S.REFUSED
    raise InvalidInput({"outcome": [_("Choose whether to grant or refuse.")]})


class ApplicationFlow:
    """The state machine of one application. Use ``engine.perform`` to run a transition."""

    name = "application"
    state = fsm.State(ApplicationStatus, default=S.DRAFT)

    def __init__(self, application: Application, *, actor: Any = None, role: str = "") -> None:
        self.application = application
        self.actor = actor
        self.role = role
        self.from_state = application.status

    @state.getter()
    def _get_status(self) -> str:
        return self.application.status

    @state.setter()
    def _set_status(self, value: str) -> None:
        self.application.status = value

    def _save(self, *fields: str) -> None:
        self.application._history_user = self.actor  # type: ignore[attr-defined]
        self.application.version += 1
        self.application.save(update_fields=["status", "version", "updated_at", *fields])

    def _record(self, reason: str = "", **payload: Any) -> None:
        record_transition(
            application=self.application,
            flow=self.name,
            transition=self._current,
            from_state=self.from_state,
            to_state=self.application.status,
            actor=self.actor,
            role=self.role,
            reason=reason,
            payload=payload,
        )

    _current = ""

    def _tell_association(self, kind: str, *, legal: bool = False, **context: Any) -> None:
        """Notify the association's users; a paper applicant also by its registered e-mail."""
        application = self.application
        notify(
            kind=kind,
            application=application,
            recipients=list(applicants_of(application)),
            context=context,
            legal=legal,
            addresses=[application.association.email] if application.is_paper else (),
        )

    def _tell_case_officers(self, kind: str, **context: Any) -> None:
        notify(
            kind=kind,
            application=self.application,
            recipients=list(case_officers_of(self.application)),
            context=context,
            legal=False,
        )

    # --- the applicant's part and screening --------------------------------------------

    @state.transition(
        source=S.DRAFT,
        target=S.SUBMITTED,
        label=gettext_lazy("Submit"),
        permission=rules.applicant_or_paper_case_officer,
        conditions=[round_is_open, is_complete, no_overdue_usage_report],
        custom={"done": gettext_lazy("Submitted"), "fields": ()},
    )
    def submit(self) -> None:
        self.application.submitted_at = timezone.now()
        self._save("submitted_at")
        self._record(
            amount_requested=self.application.amount_requested,
            paper=self.application.is_paper,
            received_at=self.application.received_at,
        )
        self._tell_association(Kind.APPLICATION_SUBMITTED)

    @state.transition(
        source=S.SUBMITTED,
        target=S.INFO_REQUESTED,
        label=gettext_lazy("Request information"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Information requested"), "fields": ("question",)},
    )
    def request_info(self, *, question: Any = None) -> None:
        text = _text(question, "question", _("Write the question to the association."))
        self.application.open_question = text
        self._save("open_question")
        self._record(reason=text)
        self._tell_association(Kind.INFO_REQUESTED, legal=True, question=text)

    @state.transition(
        source=S.INFO_REQUESTED,
        target=S.SUBMITTED,
        label=gettext_lazy("Answer the request"),
        permission=rules.applicant_or_paper_case_officer,
        custom={"done": gettext_lazy("Information provided"), "fields": ("answer",)},
    )
    def provide_info(self, *, answer: Any = None) -> None:
        # The round's deadline does not apply: the application was in time when submitted.
        text = _text(answer, "answer", _("Write your answer."))
        question = self.application.open_question
        self.application.open_question = ""
        self._save("open_question")
        self._record(reason=text, question=question)
        self._tell_case_officers(Kind.INFO_PROVIDED, question=question, answer=text)

    @state.transition(
        source=S.SUBMITTED,
        target=S.IN_COUNCIL_REVIEW,
        label=gettext_lazy("Accept for council review"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Accepted for council review"), "fields": ("reason",)},
    )
    def accept(self, *, reason: Any = None) -> None:
        note = _text(reason, "reason", "", required=False)
        self.application.screening_note = note
        self._save("screening_note")
        self._record(reason=note)
        self._tell_association(Kind.APPLICATION_ACCEPTED)

    @state.transition(
        source=S.SUBMITTED,
        target=S.INELIGIBLE,
        label=gettext_lazy("Reject as ineligible"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Rejected as ineligible"), "fields": ("reason",)},
    )
    def reject(self, *, reason: Any = None) -> None:
        text = _text(reason, "reason", _("Give the reasons why the application is ineligible."))
        self.application.screening_note = text
        self.application.decided_at = timezone.now()
        self._save("screening_note", "decided_at")
        self._record(reason=text)
        self._tell_association(Kind.APPLICATION_REJECTED, legal=True, reasons=text)

    @state.transition(
        source=BEFORE_DECISION,
        target=S.WITHDRAWN,
        label=gettext_lazy("Withdraw"),
        permission=rules.applicant_or_paper_case_officer,
        custom={"done": gettext_lazy("Withdrawn"), "fields": ("reason",)},
    )
    def withdraw(self, *, reason: Any = None) -> None:
        text = _text(reason, "reason", "", required=False)
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=text)
        if self.from_state != S.DRAFT:
            self._tell_case_officers(Kind.APPLICATION_WITHDRAWN, reason=text)

    # --- council and committee --------------------------------------------------------

    @state.transition(
        source=S.IN_COUNCIL_REVIEW,
        target=S.RECOMMENDED,
        label=gettext_lazy("Record the council's recommendation"),
        permission=rules.council_chair,
        custom={
            "done": gettext_lazy("Council recommendation recorded"),
            "fields": ("meeting", "outcome", "amount", "reason"),
        },
    )
    def recommend(
        self,
        *,
        outcome: Any = None,
        amount: Any = None,
        reason: Any = None,
        meeting: Any = None,
    ) -> None:
        requested = self.application.amount_requested or Decimal("0")
        held_at = meetings.meeting_for(self.application, Body.COUNCIL, meeting)
        meetings.require_present(held_at, self.actor)
        quorum = meetings.council_quorum(self.application, held_at)
        if not quorum["met"]:
            raise ConditionsUnmet(
                _(
                    "The council is not quorate on this application: %(present)s of the "
                    "%(required)s non-conflicted members needed are present."
                )
                % {"present": len(quorum["present"]), "required": quorum["required"]}
            )
        if outcome not in RecommendationOutcome.values:
            raise InvalidInput({"outcome": [_("Choose support in full, in part, or refuse.")]})
        if outcome == RecommendationOutcome.GRANT:
            value = requested
        elif outcome == RecommendationOutcome.REFUSE:
            value = Decimal("0")
        else:
            value = _amount(amount)
            if not Decimal("0") < value < requested:
                raise InvalidInput(
                    {
                        "amount": [
                            _("A partial recommendation lies between 0 and %(requested)s.")
                            % {"requested": money(requested)}
                        ]
                    }
                )
        text = _text(
            reason,
            "reason",
            _("Give the reasons for recommending less than the amount requested."),
            required=outcome != RecommendationOutcome.GRANT,
        )
        self.application.recommendation_outcome = outcome
        self.application.recommended_amount = value
        self.application.recommendation_reasons = text
        self._save("recommendation_outcome", "recommended_amount", "recommendation_reasons")
        votes = dict(
            Assessment.objects.filter(meeting=held_at, application=self.application)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        self._record(
            reason=text,
            outcome=outcome,
            amount=value,
            requested=requested,
            meeting=held_at.pk,
            present=quorum["present"],
            conflicted=quorum["conflicted"],
            assessments=votes,
        )

    @state.transition(
        source=S.RECOMMENDED,
        target=fsm.State.GET_STATE(_decide_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide"),
        permission=rules.committee_chair,
        custom={
            "done": gettext_lazy("Decided"),
            "fields": (
                "meeting",
                "outcome",
                "amount",
                "reason",
                "confirm_overrun",
                "overrun_reason",
            ),
        },
    )
    def decide(
        self,
        *,
        outcome: Any = None,
        amount: Any = None,
        reason: Any = None,
        meeting: Any = None,
        confirm_overrun: Any = False,
        overrun_reason: Any = None,
    ) -> None:
        held_at = meetings.meeting_for(self.application, Body.COMMITTEE, meeting)
        meetings.require_present(held_at, self.actor)
        value, text = self._decision(outcome, amount, reason)
        overrun = self._check_pool(value, confirm_overrun, overrun_reason)
        self._apply_decision(outcome, value, text, meeting=held_at.pk, **overrun)

    @state.transition(
        source=S.SUBMITTED,
        target=fsm.State.GET_STATE(_decide_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide (quick pool)"),
        permission=rules.quick_pool_case_officer,
        custom={
            "done": gettext_lazy("Decided by the administration"),
            "fields": ("outcome", "amount", "reason", "confirm_overrun", "overrun_reason"),
        },
    )
    def decide_directly(
        self,
        *,
        outcome: Any = None,
        amount: Any = None,
        reason: Any = None,
        confirm_overrun: Any = False,
        overrun_reason: Any = None,
    ) -> None:
        # A quick pool (akutpulje): screened and decided by the case officer, up to a ceiling.
        value, text = self._decision(outcome, amount, reason)
        ceiling = self.application.round.ceiling_per_application
        if ceiling is not None and value > ceiling:
            raise InvalidInput(
                {
                    "amount": [
                        _("In this quick pool a grant can be at most %(ceiling)s.")
                        % {"ceiling": money(ceiling)}
                    ]
                }
            )
        overrun = self._check_pool(value, confirm_overrun, overrun_reason)
        self._apply_decision(outcome, value, text, **overrun)

    def _decision(self, outcome: Any, amount: Any, reason: Any) -> tuple[Decimal, str]:
        requested = self.application.amount_requested or Decimal("0")
        if outcome == RecommendationOutcome.GRANT:
            value = requested if amount in (None, "") else _amount(amount)
            if value <= 0:
                raise InvalidInput(
                    {"amount": [_("A grant must be more than 0 DKK; refuse instead.")]}
                )
            if value > requested:
                raise InvalidInput(
                    {
                        "amount": [
                            _("The grant cannot exceed the %(requested)s requested.")
                            % {"requested": money(requested)}
                        ]
                    }
                )
        else:
            value = Decimal("0")
        # Forvaltningsloven § 22: reasons for anything less than what was asked for.
        text = _text(
            reason,
            "reason",
            _("Give the reasons: the decision does not grant the full amount requested."),
            required=value < requested,
        )
        return value, text

    def _check_pool(self, value: Decimal, confirm: Any, reason: Any) -> dict[str, Any]:
        """A decision beyond the pool needs the chair's explicit confirmation, with reasons."""
        pool = self.application.round.pool_amount
        total = meetings.granted_in_round(self.application) + value
        if value <= 0 or total <= pool:
            return {}
        if confirm not in (True, "true", "on", "1", 1):
            raise InvalidInput(
                {
                    "amount": [
                        _(
                            "This would bring the round's grants to %(total)s, above the pool of "
                            "%(pool)s. Lower the amount, or confirm the overrun and give reasons."
                        )
                        % {"total": money(total), "pool": money(pool)}
                    ]
                }
            )
        text = _text(reason, "overrun_reason", _("Give the reasons for exceeding the pool."))
        return {"overrun": {"total": total, "pool": pool, "reason": text}}

    def _apply_decision(self, outcome: Any, value: Decimal, text: str, **extra: Any) -> None:
        requested = self.application.amount_requested or Decimal("0")
        self.application.granted_amount = value
        self.application.decision_reasons = text
        self.application.decided_at = timezone.now()
        self._save("granted_amount", "decision_reasons", "decided_at")
        letter = decision_letter_create(application=self.application, acting_user=self.actor)
        self._record(
            reason=text,
            outcome=outcome,
            amount=value,
            requested=requested,
            recommended=self.application.recommended_amount,
            letter=letter.pk,
            **extra,
        )
        self._tell_association(
            Kind.DECISION,
            legal=True,
            granted=outcome == RecommendationOutcome.GRANT,
            amount=value,
            reasons=text,
        )

    @state.transition(
        source=S.RECOMMENDED,
        target=S.IN_COUNCIL_REVIEW,
        label=gettext_lazy("Send back to the council"),
        permission=rules.committee_chair,
        custom={"done": gettext_lazy("Sent back to the council"), "fields": ("reason",)},
    )
    def send_back(self, *, reason: Any = None) -> None:
        text = _text(reason, "reason", _("Say why the application goes back to the council."))
        previous = {
            "outcome": self.application.recommendation_outcome,
            "amount": self.application.recommended_amount,
        }
        self.application.recommendation_outcome = ""
        self.application.recommended_amount = None
        self.application.recommendation_reasons = ""
        self._save("recommendation_outcome", "recommended_amount", "recommendation_reasons")
        self._record(reason=text, previous_recommendation=previous)

    # --- after the grant ---------------------------------------------------------------

    @state.transition(
        source=S.GRANTED,
        target=S.PAID,
        label=gettext_lazy("Register payout"),
        permission=rules.case_officer,
        custom={
            "done": gettext_lazy("Payout registered"),
            "fields": ("amount", "paid_on", "reference"),
        },
    )
    def pay(self, *, amount: Any = None, paid_on: Any = None, reference: Any = None) -> None:
        granted = self.application.granted_amount or Decimal("0")
        value = granted if amount in (None, "") else _amount(amount)
        errors: dict[str, list[str]] = {}
        if value <= 0 or value > granted:
            errors["amount"] = [
                _("The payout lies between 0 and the %(granted)s granted.")
                % {"granted": money(granted)}
            ]
        ref = _text(reference, "reference", "", required=False)
        if not ref:
            errors["reference"] = [_("Give the payment reference.")]
        day = paid_on or timezone.localdate()
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                errors["paid_on"] = [_("Enter the payment date as YYYY-MM-DD.")]
        if errors:
            raise InvalidInput(errors)
        payout = Payout(
            application=self.application,
            paid_on=day,
            amount=value,
            reference=ref,
            registered_by=self.actor,
        )
        payout._history_user = self.actor  # type: ignore[attr-defined]
        payout.save()
        self._save()
        self._record(amount=value, paid_on=day, reference=ref, payout=payout.pk)
        self._tell_association(Kind.PAYOUT_REGISTERED, amount=value, paid_on=day, reference=ref)

    @state.transition(
        source=S.PAID,
        target=S.REPORT_SUBMITTED,
        label=gettext_lazy("Submit usage report"),
        permission=rules.applicant,
        custom={
            "done": gettext_lazy("Usage report submitted"),
            "fields": (
                "description",
                "amount_spent",
                "participants_reached",
                "volunteers_involved",
            ),
        },
    )
    def submit_report(
        self,
        *,
        description: Any = None,
        amount_spent: Any = None,
        participants_reached: Any = None,
        volunteers_involved: Any = None,
    ) -> None:
        text = _text(description, "description", _("Describe what the grant was used for."))
        spent = _amount(amount_spent, "amount_spent")
        counts: dict[str, int] = {}
        for field, value in (
            ("participants_reached", participants_reached),
            ("volunteers_involved", volunteers_involved),
        ):
            try:
                counts[field] = int(value or 0)
            except (TypeError, ValueError):
                raise InvalidInput({field: [_("Enter a whole number.")]}) from None
            if counts[field] < 0:
                raise InvalidInput({field: [_("The number cannot be negative.")]})
            if counts[field] > MAX_COUNT:
                raise InvalidInput({field: [_("The number is too large.")]})
        report = UsageReport(
            application=self.application,
            description=text,
            amount_spent=spent,
            submitted_by=self.actor,
            **counts,
        )
        report._history_user = self.actor  # type: ignore[attr-defined]
        report.save()
        self._save()
        self._record(
            amount_spent=spent,
            report=report.pk,
            participants_reached=counts["participants_reached"],
            volunteers_involved=counts["volunteers_involved"],
        )

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.PAID,
        label=gettext_lazy("Return the usage report"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Usage report returned"), "fields": ("reason",)},
    )
    def return_report(self, *, reason: Any = None) -> None:
        text = _text(reason, "reason", _("Say what the association must correct in the report."))
        self._save()
        self._record(reason=text)
        self._tell_association(Kind.REPORT_RETURNED, legal=True, reasons=text)

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.CLOSED,
        label=gettext_lazy("Approve the usage report"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Usage report approved"), "fields": ("reason",)},
    )
    def approve_report(self, *, reason: Any = None) -> None:
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=_text(reason, "reason", "", required=False))
        self._tell_association(Kind.REPORT_APPROVED)
