"""The life of a § 18 application, in one file.

Each transition is one method: the decorator says from where to where, who may
(``permission``) and when (``conditions``); the body validates the input, changes
the application, and records what happened. The engine (``engine.py``) runs a
method inside one transaction with the case row locked, after checking the
permission, because viewflow.fsm itself does not.

    draft ─submit→ submitted ─accept→ in_council_review ─recommend→ recommended ─decide→ granted/refused
    granted ─pay→ paid (─pay→ paid: instalments) ─submit_report→ report_submitted
    report_submitted ─return_report→ paid;  ─approve_report→ closed (─register_repayment→ closed)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases import permissions
from cases.completeness import completeness_problems
from cases.documents.letters import decision_letter_create
from cases.errors import ConditionsUnmet, InvalidInput
from cases.formatting import AmountError, money, to_amount
from cases.models import (
    Application,
    ApplicationStatus,
    Assessment,
    Body,
    CarryOver,
    Payout,
    RecommendationOutcome,
    RepaymentClaim,
    StatusGroup,
    UsageReport,
    UsageReportStatus,
)
from cases.services import grants as grant_services
from cases.trail.chain import record_transition
from cases.trail.history import TRANSITION_REASON
from notifications.models import Kind
from notifications.selectors import applicants_of, case_officers_of
from notifications.services import notify
from workflows import meetings, rules

S = ApplicationStatus
REPAYMENT_DAYS = 30  # a repayment claim falls due this many days after approval, unless set


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
        grant_services.overdue_applications(
            municipality_ids=[application.municipality_id],
            association_id=application.association_id,
        )
        .order_by("round__report_deadline", "case_number")
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


def has_outstanding_claim(flow: ApplicationFlow) -> fsm.State.CONDITION:
    if RepaymentClaim.objects.filter(application=flow.application, paid_on__isnull=True).exists():
        return fsm.State.CONDITION(True)
    return fsm.State.CONDITION(False, _("There is no outstanding repayment claim on this case."))


# --- input helpers ---------------------------------------------------------------------


def _text(value: Any, field: str, message: str, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise InvalidInput({field: [message]})
    return text


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        return to_amount(value)
    except AmountError as error:
        raise InvalidInput({field: [str(error)]}) from None


def _date(value: Any, field: str, message: str, errors: dict[str, list[str]]) -> date | None:
    """A date (today when left out), or None with ``message`` added to ``errors``."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [message]
        return None


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
        application = self.application
        application._history_user = self.actor  # type: ignore[attr-defined]
        # Names the history row; a transition never touches the many-to-many fields, so
        # its row carries no copy of them (see cases.trail.history.TRANSITION_REASON).
        application._change_reason = f"{TRANSITION_REASON}{self._current}"  # type: ignore[attr-defined]
        application.version += 1
        try:
            application.save(update_fields=["status", "version", "updated_at", *fields])
        finally:
            del application._change_reason  # type: ignore[attr-defined]

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
        source=StatusGroup.BEFORE_DECISION,
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
        quorum = permissions.council_quorum(self.application, held_at)
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
        source=[S.GRANTED, S.PAID],
        target=S.PAID,
        label=gettext_lazy("Register payout"),
        permission=rules.case_officer,
        custom={
            "done": gettext_lazy("Payout registered"),
            "fields": ("amount", "paid_on", "reference"),
        },
    )
    def pay(self, *, amount: Any = None, paid_on: Any = None, reference: Any = None) -> None:
        # Instalments: every payout is its own transition; together they never exceed the
        # grant. The engine holds the application row locked, so two payouts cannot race.
        granted = self.application.granted_amount or Decimal("0")
        before = grant_services.paid_total(self.application)
        left = granted - before
        value = left if amount in (None, "") else _amount(amount)
        errors: dict[str, list[str]] = {}
        if left <= 0:
            errors["amount"] = [_("The grant has already been paid out in full.")]
        elif value <= 0 or value > left:
            errors["amount"] = [
                _("The payout lies between 0 and the %(granted)s granted.")
                % {"granted": money(granted)}
                if before == 0
                else _("The payout lies between 0 and the %(left)s not yet paid out.")
                % {"left": money(left)}
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
        self._record(
            amount=value, paid_on=day, reference=ref, payout=payout.pk, paid_total=before + value
        )
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
                "participants_reached",
                "volunteers_involved",
                "lines",
                "overspend_explanation",
                "declaration_on_honour",
                "attachments",
            ),
        },
    )
    def submit_report(self, **data: Any) -> None:
        """The association's report: lines spent per budget line, and the tier's documents.

        ``lines``: [{"budget_line": id or None, "description": str, "spent": amount}];
        ``attachments``: [(kind, uploaded file)]. The unspent balance is computed.
        """
        parsed = grant_services.parse_report(self.application, data)
        self._save()
        report = grant_services.store_report(
            application=self.application, parsed=parsed, actor=self.actor
        )
        try:
            self._record(
                report=report.pk,
                amount_spent=parsed.spent,
                paid=parsed.paid,
                unspent=parsed.unspent,
                requirement=parsed.requirement,
                participants_reached=parsed.participants_reached,
                volunteers_involved=parsed.volunteers_involved,
                lines=[
                    {"description": line["description"], "spent": line["spent"]}
                    for line in parsed.lines
                ],
                attachments=[
                    {"kind": kind, "name": upload.name} for kind, upload, _t in parsed.attachments
                ],
            )
        except BaseException:
            grant_services.delete_files(report._stored_files)  # type: ignore[attr-defined]
            raise

    def _open_report(self) -> UsageReport:
        report = (
            UsageReport.objects.filter(
                application=self.application, status=UsageReportStatus.SUBMITTED
            )
            .order_by("-submitted_at", "-id")
            .first()
        )
        if report is None:
            raise ConditionsUnmet(_("There is no usage report awaiting review."))
        return report

    def _review(self, report: UsageReport, status: str, reasons: str) -> None:
        report.status = status
        report.review_reasons = reasons
        report._history_user = self.actor  # type: ignore[attr-defined]
        report.save(update_fields=["status", "review_reasons"])

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.PAID,
        label=gettext_lazy("Return the usage report"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Usage report returned"), "fields": ("reason",)},
    )
    def return_report(self, *, reason: Any = None) -> None:
        text = _text(reason, "reason", _("Say what the association must correct in the report."))
        report = self._open_report()
        self._review(report, UsageReportStatus.RETURNED, text)
        self._save()
        self._record(reason=text, report=report.pk)
        self._tell_association(Kind.REPORT_RETURNED, legal=True, reasons=text)

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.CLOSED,
        label=gettext_lazy("Approve the usage report"),
        permission=rules.case_officer,
        custom={
            "done": gettext_lazy("Usage report approved"),
            "fields": ("reason", "settlement", "repayment_due", "carry_over_reason"),
        },
    )
    def approve_report(
        self,
        *,
        reason: Any = None,
        settlement: Any = None,
        repayment_due: Any = None,
        carry_over_reason: Any = None,
    ) -> None:
        report = self._open_report()
        note = _text(reason, "reason", "", required=False)
        unspent = report.unspent_amount
        outcome = self._settle(report, unspent, settlement, repayment_due, carry_over_reason)
        self._review(report, UsageReportStatus.APPROVED, note)
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=note, report=report.pk, unspent=unspent, **outcome)
        self._tell_association(Kind.REPORT_APPROVED)
        if "repayment_claim" in outcome:
            self._tell_association(
                Kind.REPAYMENT_CLAIMED,
                legal=True,
                amount=unspent,
                due_on=outcome["repayment_due"],
            )

    def _settle(
        self,
        report: UsageReport,
        unspent: Decimal,
        settlement: Any,
        repayment_due: Any,
        carry_over_reason: Any,
    ) -> dict[str, Any]:
        """An unspent balance is claimed back or, on the association's request, carried over."""
        if unspent <= 0:
            return {}
        if settlement == "repayment":
            due = repayment_due or timezone.localdate() + timedelta(days=REPAYMENT_DAYS)
            if isinstance(due, str):
                try:
                    due = date.fromisoformat(due)
                except ValueError:
                    raise InvalidInput(
                        {"repayment_due": [_("Enter the due date as YYYY-MM-DD.")]}
                    ) from None
            if due < timezone.localdate():
                raise InvalidInput({"repayment_due": [_("The due date cannot be in the past.")]})
            claim = RepaymentClaim(
                application=self.application,
                report=report,
                amount=unspent,
                due_on=due,
                created_by=self.actor,
            )
            claim._history_user = self.actor  # type: ignore[attr-defined]
            claim.save()
            return {"settlement": "repayment", "repayment_claim": claim.pk, "repayment_due": due}
        if settlement == "carry_over":
            text = _text(
                carry_over_reason,
                "carry_over_reason",
                _("Give the reasons for letting the association keep the unspent balance."),
            )
            carry = CarryOver(
                application=self.application,
                report=report,
                amount=unspent,
                reason=text,
                approved_by=self.actor,
            )
            carry._history_user = self.actor  # type: ignore[attr-defined]
            carry.save()
            return {"settlement": "carry_over", "carry_over": carry.pk, "carry_over_reason": text}
        raise InvalidInput(
            {
                "settlement": [
                    _(
                        "The report leaves %(unspent)s unspent: claim it back, or approve "
                        "a carry-over."
                    )
                    % {"unspent": money(unspent)}
                ]
            }
        )

    @state.transition(
        source=S.CLOSED,
        target=S.CLOSED,
        label=gettext_lazy("Register repayment"),
        permission=rules.case_officer,
        conditions=[has_outstanding_claim],
        custom={
            "done": gettext_lazy("Repayment registered"),
            "fields": ("paid_on", "reference"),
        },
    )
    def register_repayment(self, *, paid_on: Any = None, reference: Any = None) -> None:
        claim = (
            RepaymentClaim.objects.filter(application=self.application, paid_on__isnull=True)
            .order_by("due_on", "id")
            .first()
        )
        assert claim is not None  # has_outstanding_claim, checked with the row locked
        errors: dict[str, list[str]] = {}
        ref = _text(reference, "reference", "", required=False)
        if not ref:
            errors["reference"] = [_("Give the payment reference.")]
        day = _date(paid_on, "paid_on", _("Enter the payment date as YYYY-MM-DD."), errors)
        if day is not None and day > timezone.localdate():
            errors["paid_on"] = [_("The payment date cannot be in the future.")]
        if errors or day is None:
            raise InvalidInput(errors)
        claim.paid_on = day
        claim.paid_reference = ref
        claim._history_user = self.actor
        claim.save(update_fields=["paid_on", "paid_reference"])
        self._save()
        self._record(repayment_claim=claim.pk, amount=claim.amount, paid_on=day, reference=ref)
