"""The life of a § 18 application, in one file.

Each transition is one method: the decorator says from where to where, who may
(``permission``), when (``conditions``) and what input it takes (``custom["form"]``,
the form declared just above it); the body checks what needs the case, changes the
application, and records what happened. The engine (``engine.py``) runs a method
inside one transaction with the case row locked, after checking the permission
(viewflow.fsm itself does not), the conditions and the input.

    draft ─submit→ submitted ─accept→ in_council_review ─recommend→ recommended ─decide→ granted/refused
    granted ─pay→ paid (─pay→ paid: instalments) ─submit_report→ report_submitted
    report_submitted ─return_report→ paid;  ─approve_report→ closed (─register_repayment→ closed)

The usage report's own review (submitted → returned / approved) is a flow of its own,
``usage_report.py``, driven by ``return_report`` and ``approve_report``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count
from django.forms.utils import ErrorDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases import limits, permissions
from cases.completeness import completeness_problems
from cases.documents.letters import decision_letter_create
from cases.errors import ConditionsUnmet, InvalidInput
from cases.formatting import money
from cases.models import (
    Application,
    ApplicationStatus,
    Assessment,
    Body,
    CarryOver,
    Meeting,
    Payout,
    RecommendationOutcome,
    RepaymentClaim,
    StatusGroup,
    UsageReport,
)
from cases.services import grants as grant_services
from notifications.models import Kind
from notifications.selectors import applicants_of, case_officers_of
from notifications.services import notify
from workflows import meetings, rules
from workflows.flow import Flow, condition
from workflows.inputs import (
    Amount,
    ReportFiles,
    ReportLines,
    Text,
    TransitionInput,
    iso_date,
    outcome,
    text,
)
from workflows.usage_report import UsageReportFlow

S = ApplicationStatus
Outcome = RecommendationOutcome
REPAYMENT_DAYS = 30  # a repayment claim falls due this many days after approval, unless set


def _when(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "j. F Y H:i")


# --- conditions: (flow) -> State.CONDITION, evaluated with the row locked ----------------


@condition
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


@condition
def is_complete(flow: ApplicationFlow) -> fsm.State.CONDITION:
    problems = completeness_problems(flow.application)
    if problems:
        return fsm.State.CONDITION(
            False,
            _("The application is not complete: %(problems)s.") % {"problems": "; ".join(problems)},
        )
    return fsm.State.CONDITION(True)


@condition
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


@condition
def has_outstanding_claim(flow: ApplicationFlow) -> fsm.State.CONDITION:
    if RepaymentClaim.objects.filter(application=flow.application, paid_on__isnull=True).exists():
        return fsm.State.CONDITION(True)
    return fsm.State.CONDITION(False, _("There is no outstanding repayment claim on this case."))


@condition
def has_report_awaiting_review(flow: ApplicationFlow) -> fsm.State.CONDITION:
    if flow.review() is None:
        return fsm.State.CONDITION(False, _("There is no usage report awaiting review."))
    return fsm.State.CONDITION(True)


def _decide_target(flow: ApplicationFlow, *, outcome: Any = None, **kwargs: Any) -> str:
    if outcome == Outcome.GRANT:
        return S.GRANTED
    if outcome == Outcome.REFUSE:
        return S.REFUSED
    raise InvalidInput({"outcome": [_("Choose whether to grant or refuse.")]})


# --- typed input: one form per transition, each declared above its method ----------------


def _note() -> forms.CharField:
    return text(gettext_lazy("Reasons / note"))


class MeetingField(forms.ModelChoiceField):
    """A meeting by its id; a caller holding the meeting (the agenda page) passes it as it is."""

    def to_python(self, value: Any) -> Any:
        return value if isinstance(value, Meeting) else super().to_python(value)


def _meeting() -> forms.ModelChoiceField:
    return MeetingField(
        queryset=Meeting.objects.all(),
        label=gettext_lazy("Meeting"),
        required=False,
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy("The application is not on the agenda of that meeting.")
        },
    )


def _reference() -> forms.CharField:
    # Required, but the method says so among the payment's other problems.
    return Text(
        label=gettext_lazy("Payment reference"), max_length=limits.REFERENCE, required=False
    )


class ApplicationFlow(Flow):
    """The state machine of one application. Use ``engine.perform`` to run a transition."""

    name = "application"
    model = Application
    states = ApplicationStatus
    state = fsm.State(ApplicationStatus, default=S.DRAFT)
    initial = S.DRAFT
    terminal = frozenset({S.REFUSED, S.INELIGIBLE, S.WITHDRAWN, S.CLOSED})
    pool_field = "round"

    def __init__(self, application: Application, *, actor: Any = None, role: str = "") -> None:
        super().__init__(application, actor=actor, role=role)
        self.application = application
        self._meetings: dict[str, Meeting | None] = {}
        self._quorums: dict[int, dict[str, Any]] = {}

    @property
    def case(self) -> Application:
        return self.application

    @classmethod
    def lock(cls, subject: Any) -> Application:
        return (
            Application.objects.select_for_update(of=("self",))
            .select_related("round", "association", "municipality")
            .get(pk=subject.pk)
        )

    @state.getter()
    def _get_status(self) -> str:
        return self.application.status

    @state.setter()
    def _set_status(self, value: str) -> None:
        self.application.status = value

    def latest_meeting(self, body: str) -> Meeting | None:
        if body not in self._meetings:
            self._meetings[body] = meetings.latest_meeting(self.application, body)
        return self._meetings[body]

    def quorum(self, meeting: Meeting) -> dict[str, Any]:
        if meeting.pk not in self._quorums:
            self._quorums[meeting.pk] = permissions.council_quorum(self.application, meeting)
        return self._quorums[meeting.pk]

    def _held_at(self, body: str, meeting: Meeting | None) -> Meeting:
        """The meeting given, checked as the conditions checked the latest one; or that one."""
        latest = self.latest_meeting(body)
        if meeting is None or (latest is not None and meeting.pk == latest.pk):
            if latest is None:  # the conditions have said so already
                raise ConditionsUnmet(meetings.not_on_agenda(self.application, body))
            return latest
        held_at = meetings.meeting_for(self.application, body, meeting)
        meetings.require_present(held_at, self.actor)
        if body == Body.COUNCIL:
            problem = meetings.not_quorate(self.quorum(held_at))
            if problem:
                raise ConditionsUnmet(problem)
        return held_at

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

    class SubmitInput(TransitionInput):
        """Nothing to enter: the application itself is the input."""

    @state.transition(
        source=S.DRAFT,
        target=S.SUBMITTED,
        label=gettext_lazy("Submit"),
        permission=rules.applicant_or_paper_case_officer,
        conditions=[round_is_open, is_complete, no_overdue_usage_report],
        custom={"done": gettext_lazy("Submitted"), "form": SubmitInput},
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

    class RequestInfoInput(TransitionInput):
        question = text(
            gettext_lazy("Question to the association"),
            required_message=gettext_lazy("Write the question to the association."),
        )

    @state.transition(
        source=S.SUBMITTED,
        target=S.INFO_REQUESTED,
        label=gettext_lazy("Request information"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Information requested"), "form": RequestInfoInput},
    )
    def request_info(self, *, question: str) -> None:
        self.application.open_question = question
        self._save("open_question")
        self._record(reason=question)
        self._tell_association(Kind.INFO_REQUESTED, legal=True, question=question)

    class ProvideInfoInput(TransitionInput):
        answer = text(
            gettext_lazy("Your answer"), required_message=gettext_lazy("Write your answer.")
        )

    @state.transition(
        source=S.INFO_REQUESTED,
        target=S.SUBMITTED,
        label=gettext_lazy("Answer the request"),
        permission=rules.applicant_or_paper_case_officer,
        custom={"done": gettext_lazy("Information provided"), "form": ProvideInfoInput},
    )
    def provide_info(self, *, answer: str) -> None:
        # The round's deadline does not apply: the application was in time when submitted.
        question = self.application.open_question
        self.application.open_question = ""
        self._save("open_question")
        self._record(reason=answer, question=question)
        self._tell_case_officers(Kind.INFO_PROVIDED, question=question, answer=answer)

    class AcceptInput(TransitionInput):
        reason = _note()

    @state.transition(
        source=S.SUBMITTED,
        target=S.IN_COUNCIL_REVIEW,
        label=gettext_lazy("Accept for council review"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Accepted for council review"), "form": AcceptInput},
    )
    def accept(self, *, reason: str = "") -> None:
        self.application.screening_note = reason
        self._save("screening_note")
        self._record(reason=reason)
        self._tell_association(Kind.APPLICATION_ACCEPTED)

    class RejectInput(TransitionInput):
        reason = text(
            gettext_lazy("Reasons / note"),
            required_message=gettext_lazy("Give the reasons why the application is ineligible."),
        )

    @state.transition(
        source=S.SUBMITTED,
        target=S.INELIGIBLE,
        label=gettext_lazy("Reject as ineligible"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Rejected as ineligible"), "form": RejectInput},
    )
    def reject(self, *, reason: str) -> None:
        self.application.screening_note = reason
        self.application.decided_at = timezone.now()
        self._save("screening_note", "decided_at")
        self._record(reason=reason)
        self._tell_association(Kind.APPLICATION_REJECTED, legal=True, reasons=reason)

    class WithdrawInput(TransitionInput):
        reason = _note()

    @state.transition(
        source=StatusGroup.BEFORE_DECISION,
        target=S.WITHDRAWN,
        label=gettext_lazy("Withdraw"),
        permission=rules.applicant_or_paper_case_officer,
        custom={"done": gettext_lazy("Withdrawn"), "form": WithdrawInput},
    )
    def withdraw(self, *, reason: str = "") -> None:
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=reason)
        if self.from_state != S.DRAFT:
            self._tell_case_officers(Kind.APPLICATION_WITHDRAWN, reason=reason)

    # --- council and committee --------------------------------------------------------

    class RecommendInput(TransitionInput):
        meeting = _meeting()
        outcome = outcome(
            Outcome.choices,
            gettext_lazy("Choose support in full, in part, or refuse."),
        )
        amount = Amount(label=gettext_lazy("Amount (DKK)"))
        reason = _note()

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if data.get("outcome") != Outcome.PARTIAL:
                self.drop("amount")  # in full is what was asked for; refused is nothing
            elif data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter an amount in kroner, e.g. 12500."))
            return data

    @state.transition(
        source=S.IN_COUNCIL_REVIEW,
        target=S.RECOMMENDED,
        label=gettext_lazy("Record the council's recommendation"),
        permission=rules.council_chair,
        conditions=[
            meetings.on_council_agenda,
            meetings.present_at_council,
            meetings.council_is_quorate,
        ],
        custom={"done": gettext_lazy("Council recommendation recorded"), "form": RecommendInput},
    )
    def recommend(
        self,
        *,
        outcome: str,
        amount: Decimal | None = None,
        reason: str = "",
        meeting: Meeting | None = None,
    ) -> None:
        requested = self.application.amount_requested or Decimal("0")
        held_at = self._held_at(Body.COUNCIL, meeting)
        quorum = self.quorum(held_at)
        if outcome == Outcome.GRANT:
            value = requested
        elif outcome == Outcome.REFUSE:
            value = Decimal("0")
        else:
            value = amount or Decimal("0")
            if not Decimal("0") < value < requested:
                raise InvalidInput(
                    {
                        "amount": [
                            _("A partial recommendation lies between 0 and %(requested)s.")
                            % {"requested": money(requested)}
                        ]
                    }
                )
        if outcome != Outcome.GRANT and not reason:
            raise InvalidInput(
                {"reason": [_("Give the reasons for recommending less than the amount requested.")]}
            )
        self.application.recommendation_outcome = outcome
        self.application.recommended_amount = value
        self.application.recommendation_reasons = reason
        self._save("recommendation_outcome", "recommended_amount", "recommendation_reasons")
        votes = dict(
            Assessment.objects.filter(meeting=held_at, application=self.application)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        self._record(
            reason=reason,
            outcome=outcome,
            amount=value,
            requested=requested,
            meeting=held_at.pk,
            present=quorum["present"],
            conflicted=quorum["conflicted"],
            assessments=votes,
        )

    class DecideDirectlyInput(TransitionInput):
        outcome = outcome(
            [
                (Outcome.GRANT.value, gettext_lazy("Grant")),
                (Outcome.REFUSE.value, gettext_lazy("Refuse")),
            ],
            gettext_lazy("Choose whether to grant or refuse."),
        )
        amount = Amount(label=gettext_lazy("Amount (DKK)"))
        reason = _note()
        confirm_overrun = forms.BooleanField(
            label=gettext_lazy("I confirm that the decision exceeds the pool"), required=False
        )
        overrun_reason = text(gettext_lazy("Reasons for exceeding the pool"))

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if data.get("outcome") != Outcome.GRANT:
                self.drop("amount")  # a refusal grants nothing
            return data

    class DecideInput(DecideDirectlyInput):
        meeting = _meeting()

        field_order = ["meeting", "outcome", "amount", "reason"]

    @state.transition(
        source=S.RECOMMENDED,
        target=fsm.State.GET_STATE(_decide_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide"),
        permission=rules.committee_chair,
        conditions=[meetings.on_committee_agenda, meetings.present_at_committee],
        custom={"done": gettext_lazy("Decided"), "form": DecideInput, "spends_pool": True},
    )
    def decide(
        self,
        *,
        outcome: str,
        amount: Decimal | None = None,
        reason: str = "",
        meeting: Meeting | None = None,
        confirm_overrun: bool = False,
        overrun_reason: str = "",
    ) -> None:
        held_at = self._held_at(Body.COMMITTEE, meeting)
        value = self._decision(outcome, amount, reason)
        overrun = self._check_pool(value, confirm_overrun, overrun_reason)
        self._apply_decision(outcome, value, reason, meeting=held_at.pk, **overrun)

    @state.transition(
        source=S.SUBMITTED,
        target=fsm.State.GET_STATE(_decide_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide (quick pool)"),
        permission=rules.quick_pool_case_officer,
        custom={
            "done": gettext_lazy("Decided by the administration"),
            "form": DecideDirectlyInput,
            "spends_pool": True,
        },
    )
    def decide_directly(
        self,
        *,
        outcome: str,
        amount: Decimal | None = None,
        reason: str = "",
        confirm_overrun: bool = False,
        overrun_reason: str = "",
    ) -> None:
        # A quick pool (akutpulje): screened and decided by the case officer, up to a ceiling.
        value = self._decision(outcome, amount, reason)
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
        self._apply_decision(outcome, value, reason, **overrun)

    def _decision(self, outcome: str, amount: Decimal | None, reason: str) -> Decimal:
        requested = self.application.amount_requested or Decimal("0")
        if outcome == Outcome.GRANT:
            value = requested if amount is None else amount
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
        if value < requested and not reason:
            raise InvalidInput(
                {
                    "reason": [
                        _(
                            "Give the reasons: the decision does not grant the full amount requested."
                        )
                    ]
                }
            )
        return value

    def _check_pool(self, value: Decimal, confirm: bool, reason: str) -> dict[str, Any]:
        """A decision beyond the pool needs the chair's explicit confirmation, with reasons.

        Only for a transition marked ``spends_pool``: the engine then holds the round's
        row locked, so the grants summed here cannot grow until this one commits.
        """
        pool = self.application.round.pool_amount
        total = meetings.granted_in_round(self.application) + value
        if value <= 0 or total <= pool:
            return {}
        if not confirm:
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
        if not reason:
            raise InvalidInput({"overrun_reason": [_("Give the reasons for exceeding the pool.")]})
        return {"overrun": {"total": total, "pool": pool, "reason": reason}}

    def _apply_decision(self, outcome: str, value: Decimal, text: str, **extra: Any) -> None:
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
            granted=outcome == Outcome.GRANT,
            amount=value,
            reasons=text,
        )

    class SendBackInput(TransitionInput):
        reason = text(
            gettext_lazy("Reasons / note"),
            required_message=gettext_lazy("Say why the application goes back to the council."),
        )

    @state.transition(
        source=S.RECOMMENDED,
        target=S.IN_COUNCIL_REVIEW,
        label=gettext_lazy("Send back to the council"),
        permission=rules.committee_chair,
        custom={"done": gettext_lazy("Sent back to the council"), "form": SendBackInput},
    )
    def send_back(self, *, reason: str) -> None:
        previous = {
            "outcome": self.application.recommendation_outcome,
            "amount": self.application.recommended_amount,
        }
        self.application.recommendation_outcome = ""
        self.application.recommended_amount = None
        self.application.recommendation_reasons = ""
        self._save("recommendation_outcome", "recommended_amount", "recommendation_reasons")
        self._record(reason=reason, previous_recommendation=previous)

    # --- after the grant ---------------------------------------------------------------

    class PayInput(TransitionInput):
        amount = Amount(label=gettext_lazy("Amount (DKK)"))
        paid_on = iso_date(
            gettext_lazy("Payment date"),
            invalid_message=gettext_lazy("Enter the payment date as YYYY-MM-DD."),
        )
        reference = _reference()

    @state.transition(
        source=[S.GRANTED, S.PAID],
        target=S.PAID,
        label=gettext_lazy("Register payout"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Payout registered"), "form": PayInput},
    )
    def pay(
        self, *, amount: Decimal | None = None, paid_on: date | None = None, reference: str = ""
    ) -> None:
        # Instalments: every payout is its own transition; together they never exceed the
        # grant. The engine holds the application row locked, so two payouts cannot race.
        granted = self.application.granted_amount or Decimal("0")
        before = grant_services.paid_total(self.application)
        left = granted - before
        value = left if amount is None else amount
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
        if not reference:
            errors["reference"] = [_("Give the payment reference.")]
        if errors:
            raise InvalidInput(errors)
        day = paid_on or timezone.localdate()
        payout = Payout(
            application=self.application,
            paid_on=day,
            amount=value,
            reference=reference,
            registered_by=self.actor,
        )
        payout._history_user = self.actor  # type: ignore[attr-defined]
        payout.save()
        self._save()
        self._record(
            amount=value,
            paid_on=day,
            reference=reference,
            payout=payout.pk,
            paid_total=before + value,
        )
        self._tell_association(
            Kind.PAYOUT_REGISTERED, amount=value, paid_on=day, reference=reference
        )

    class SubmitReportInput(TransitionInput):
        """The association's report, checked as a whole with the case: every problem at once.

        The fields describe the input (the API derives its fields from them); the report
        is checked by ``grant_services.parse_report``, in its words, and reaches the
        method as one ``ParsedReport``. The screen's page has its own layout (a line per
        budget line, a file per kind: web/after_grant) and hands over the same values.
        """

        description = forms.CharField(required=False, max_length=limits.TEXT)
        participants_reached = forms.IntegerField(required=False)
        volunteers_involved = forms.IntegerField(required=False)
        lines = ReportLines()
        overspend_explanation = forms.CharField(required=False, max_length=limits.TEXT)
        declaration_on_honour = forms.BooleanField(required=False)
        attachments = ReportFiles()

        def full_clean(self) -> None:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            if not self.is_bound:
                return
            try:
                raw = {name: self.data.get(name) for name in self.fields}
                self.cleaned_data = {
                    "report": grant_services.parse_report(self.flow.application, raw)
                }
            except InvalidInput as error:
                for field, messages in error.errors.items():
                    self._errors[field] = self.error_class(messages)

    @state.transition(
        source=S.PAID,
        target=S.REPORT_SUBMITTED,
        label=gettext_lazy("Submit usage report"),
        permission=rules.applicant,
        custom={"done": gettext_lazy("Usage report submitted"), "form": SubmitReportInput},
    )
    def submit_report(self, *, report: grant_services.ParsedReport) -> None:
        """The association's report: lines spent per budget line, and the tier's documents."""
        parsed = report
        self._save()
        stored = grant_services.store_report(
            application=self.application, parsed=parsed, actor=self.actor
        )
        try:
            self._record(
                report=stored.pk,
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
            grant_services.delete_files(stored._stored_files)  # type: ignore[attr-defined]
            raise

    def review(self) -> UsageReportFlow | None:
        """The report awaiting review, as its own flow, acted on by the same user and role."""
        if not hasattr(self, "_review"):
            report = UsageReportFlow.awaiting_review(self.application)
            self._review = (
                UsageReportFlow(report, actor=self.actor, role=self.role) if report else None
            )
        return self._review

    def _report_flow(self) -> UsageReportFlow:
        review = self.review()
        assert review is not None  # has_report_awaiting_review, checked with the row locked
        return review

    class ReturnReportInput(TransitionInput):
        reason = text(
            gettext_lazy("Reasons / note"),
            required_message=gettext_lazy("Say what the association must correct in the report."),
        )

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.PAID,
        label=gettext_lazy("Return the usage report"),
        permission=rules.case_officer,
        conditions=[has_report_awaiting_review],
        custom={"done": gettext_lazy("Usage report returned"), "form": ReturnReportInput},
    )
    def return_report(self, *, reason: str) -> None:
        review = self._report_flow()
        review.take("return_report", reasons=reason)
        self._save()
        self._record(reason=reason, report=review.report.pk)
        self._tell_association(Kind.REPORT_RETURNED, legal=True, reasons=reason)

    class ApproveReportInput(TransitionInput):
        reason = _note()
        settlement = forms.ChoiceField(
            label=gettext_lazy("The unspent balance"),
            choices=[
                ("repayment", gettext_lazy("Claim it back (repayment claim)")),
                (
                    "carry_over",
                    gettext_lazy("Let the association carry it over (on its written request)"),
                ),
            ],
            required=False,
            widget=forms.RadioSelect,
        )
        repayment_due = iso_date(
            gettext_lazy("Repayment due date"),
            invalid_message=gettext_lazy("Enter the due date as YYYY-MM-DD."),
            help_text=gettext_lazy("Leave empty for 30 days from today."),
        )
        carry_over_reason = text(gettext_lazy("Reasons for the carry-over"))

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if data.get("settlement") != "repayment":
                self.drop("repayment_due")
            return data

    @state.transition(
        source=S.REPORT_SUBMITTED,
        target=S.CLOSED,
        label=gettext_lazy("Approve the usage report"),
        permission=rules.case_officer,
        conditions=[has_report_awaiting_review],
        custom={"done": gettext_lazy("Usage report approved"), "form": ApproveReportInput},
    )
    def approve_report(
        self,
        *,
        reason: str = "",
        settlement: str = "",
        repayment_due: date | None = None,
        carry_over_reason: str = "",
    ) -> None:
        review = self._report_flow()
        report = review.report
        unspent = report.unspent_amount
        outcome = self._settle(report, unspent, settlement, repayment_due, carry_over_reason)
        review.take("approve", reasons=reason)
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=reason, report=report.pk, unspent=unspent, **outcome)
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
        settlement: str,
        repayment_due: date | None,
        carry_over_reason: str,
    ) -> dict[str, Any]:
        """An unspent balance is claimed back or, on the association's request, carried over."""
        if unspent <= 0:
            return {}
        if settlement == "repayment":
            due = repayment_due or timezone.localdate() + timedelta(days=REPAYMENT_DAYS)
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
            if not carry_over_reason:
                raise InvalidInput(
                    {
                        "carry_over_reason": [
                            _(
                                "Give the reasons for letting the association keep the "
                                "unspent balance."
                            )
                        ]
                    }
                )
            carry = CarryOver(
                application=self.application,
                report=report,
                amount=unspent,
                reason=carry_over_reason,
                approved_by=self.actor,
            )
            carry._history_user = self.actor  # type: ignore[attr-defined]
            carry.save()
            return {
                "settlement": "carry_over",
                "carry_over": carry.pk,
                "carry_over_reason": carry_over_reason,
            }
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

    class RegisterRepaymentInput(TransitionInput):
        paid_on = iso_date(
            gettext_lazy("Payment date"),
            invalid_message=gettext_lazy("Enter the payment date as YYYY-MM-DD."),
        )
        reference = _reference()

    @state.transition(
        source=S.CLOSED,
        target=S.CLOSED,
        label=gettext_lazy("Register repayment"),
        permission=rules.case_officer,
        conditions=[has_outstanding_claim],
        custom={
            "done": gettext_lazy("Repayment registered"),
            "form": RegisterRepaymentInput,
            # Offered on the case's page only while a claim is outstanding.
            "offer_when_possible": True,
        },
    )
    def register_repayment(self, *, paid_on: date | None = None, reference: str = "") -> None:
        claim = (
            RepaymentClaim.objects.filter(application=self.application, paid_on__isnull=True)
            .order_by("due_on", "id")
            .first()
        )
        assert claim is not None  # has_outstanding_claim, checked with the row locked
        errors: dict[str, list[str]] = {}
        if not reference:
            errors["reference"] = [_("Give the payment reference.")]
        day = paid_on or timezone.localdate()
        if day > timezone.localdate():
            errors["paid_on"] = [_("The payment date cannot be in the future.")]
        if errors:
            raise InvalidInput(errors)
        claim.paid_on = day
        claim.paid_reference = reference
        claim._history_user = self.actor
        claim.save(update_fields=["paid_on", "paid_reference"])
        self._save()
        self._record(
            repayment_claim=claim.pk, amount=claim.amount, paid_on=day, reference=reference
        )
