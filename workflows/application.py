"""The life of a § 18 application: the flow, and its transitions up to the decision.

Each transition is one method: the decorator says from where to where, who may
(``permission``), when (``conditions``) and what input it takes (``custom["form"]``,
the form declared just above it); the body checks what needs the case, changes the
application, and records what happened. The engine (``engine.py``) runs a method
inside one transaction with the case row locked, after checking the permission
(viewflow.fsm itself does not), the conditions and the input.

    draft ─submit→ submitted ─accept→ in_council_review ─recommend→ recommended ─decide→ granted/refused
    granted ─pay→ paid (─pay→ paid: instalments) ─submit_report→ report_submitted
    report_submitted ─return_report→ paid;  ─approve_report→ closed (─register_repayment→ closed)

The transitions every application flow shares up to the decision are
``ScreeningTransitions``, the council's are ``CouncilTransitions``; ``ApplicationFlow``
adds the committee's. A round names the flow its applications follow (``GrantRound.flow``;
``engine.flow_for``): the quick pool (``quick_pool.py``) and § 79 (``older_people.py``)
are flows of their own on the same parts (docs/flows.md).

The transitions after the grant (payouts, the usage report, repayment) are in
``after_grant.py``, a base class of every application flow on the same state; what the
parts share is in ``application_base.py``. The usage report's own review is a flow of
its own, ``usage_report.py``, driven by ``return_report`` and ``approve_report``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.compiled import Compiled
from cases.completeness import completeness_problems
from cases.documents import receipts
from cases.documents.letter_context import Facts
from cases.documents.letters import decision_letter_create, letter_create
from cases.errors import InvalidInput
from cases.formatting import money
from cases.models import (
    Assessment,
    Body,
    DocumentKind,
    Meeting,
    ReceivedVia,
    RoundCondition,
    StatusGroup,
)
from cases.services import case_documents
from cases.services import grants as grant_services
from notifications.models import Kind
from workflows import meetings, rules
from workflows.after_grant import AfterGrantTransitions
from workflows.application_base import (
    STATE,
    Outcome,
    S,
    _criteria,
    _meeting,
    _note,
    _round_criteria,
)
from workflows.flow import condition
from workflows.hearing import HearingExceptionInput, hearing_before_decision
from workflows.inputs import (
    Amount,
    CheckedUpload,
    DocumentFiles,
    ModelIds,
    TransitionInput,
    check_room_for,
    outcome,
    text,
)
from workflows.votes import VoteInput, vote_payload


def _when(value: Any) -> str:
    # The format is a text to translate: Danish writes "25. oktober 2026 kl. 02.30".
    return formats.date_format(timezone.localtime(value), _("j. F Y H:i"))


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


# The members' assessments of the case at the meeting, counted per outcome for the
# recommendation's record: compiled once.
VOTES = Compiled(
    lambda meeting, application: (
        Assessment.objects.filter(meeting_id=meeting, application_id=application)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    ),
    "meeting",
    "application",
)
# The association's first overdue usage report, read by every submission: compiled once.
OVERDUE = Compiled(
    lambda municipality, association, today: (
        grant_services.overdue_applications(
            municipality_ids=[municipality], association_id=association, today=today
        )
        .order_by("round__report_deadline", "case_number")
        .values_list("case_number")[:1]
    ),
    "municipality",
    "association",
    dates=("today",),
)


@condition
def no_overdue_usage_report(flow: ApplicationFlow) -> fsm.State.CONDITION:
    application = flow.application
    found = OVERDUE.rows(
        municipality=application.municipality_id,
        association=application.association_id,
        today=timezone.localdate(),
    )
    overdue = found[0][0] if found else None
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


def decision_target(flow: ApplicationFlow, *, outcome: Any = None, **kwargs: Any) -> str:
    if outcome == Outcome.GRANT:
        return S.GRANTED
    if outcome == Outcome.REFUSE:
        return S.REFUSED
    raise InvalidInput({"outcome": [_("Choose whether to grant or refuse.")]})


class ScreeningTransitions(AfterGrantTransitions):
    """What every application flow shares up to the decision: submitting, asking for and
    giving information, rejecting, withdrawing, and the decision's own checks and letter
    (``_decision``, ``_check_pool``, ``_apply_decision``, ``_decide_within_ceiling``).

    Each flow (this file's ``ApplicationFlow``, ``quick_pool.QuickPoolFlow``,
    ``older_people.OlderPeopleFlow``) is a subclass adding its own path to the decision;
    viewflow collects a class's transitions with its bases', so each flow is one state
    machine of its own (see docs/flows.md)."""

    # --- the applicant's part and screening --------------------------------------------

    class SubmitInput(TransitionInput):
        """Nothing to enter: the application itself is the input."""

    @STATE.transition(
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
        # The receipt by e-mail: what happens next, with the dates planned (issue 17).
        self._tell_association(
            Kind.APPLICATION_SUBMITTED, next_steps=receipts.next_steps(self.application)
        )

    class RequestInfoInput(TransitionInput):
        question = text(
            gettext_lazy("Question to the association"),
            required_message=gettext_lazy("Write the question to the association."),
        )

    @STATE.transition(
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
        documents = DocumentFiles()

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            check_room_for(self, "documents", self.flow.application if self.flow else None)
            return data

    @STATE.transition(
        source=S.INFO_REQUESTED,
        target=S.SUBMITTED,
        label=gettext_lazy("Answer the request"),
        permission=rules.applicant_or_paper_case_officer,
        custom={"done": gettext_lazy("Information provided"), "form": ProvideInfoInput},
    )
    def provide_info(self, *, answer: str, documents: list[CheckedUpload] | None = None) -> None:
        # The round's deadline does not apply: the application was in time when submitted.
        question = self.application.open_question
        self.application.open_question = ""
        self._save("open_question")
        documents = documents or []
        sent = {"documents": [item.upload.name for item in documents]} if documents else {}
        self._record(reason=answer, question=question, **sent)
        # Each document after the answer, as its own chained event with its SHA-256.
        try:
            case_documents.receive_all(
                self.application, documents, by=self.actor, source=ReceivedVia.ANSWER
            )
        except ValidationError as error:  # the case's room, taken meanwhile by another upload
            raise InvalidInput({"documents": error.messages}) from None
        self._tell_case_officers(Kind.INFO_PROVIDED, question=question, answer=answer)

    class RejectInput(HearingExceptionInput):
        """A rejection (afvisning) states its grounds: late, one or more of the round's
        conditions of eligibility, or another formal ground written out; without a ground
        chosen, the reasons are the ground."""

        reason = text(
            gettext_lazy("Reasons / note"),
            required_message=gettext_lazy("Give the reasons why the application is ineligible."),
        )
        ground_late = forms.BooleanField(
            label=gettext_lazy("Received after the deadline"), required=False
        )
        ground_conditions = ModelIds(
            queryset=RoundCondition.objects.none(),
            label=gettext_lazy("Conditions of eligibility not met"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": gettext_lazy(
                    "%(value)s is not one of this round's conditions of eligibility."
                ),
                "invalid_pk_value": gettext_lazy("Choose conditions by their number (id)."),
            },
        )
        ground_other = text(gettext_lazy("Another formal ground"), rows=2)

        def for_case(self, application: Any) -> None:
            field = self.fields["ground_conditions"]
            field.queryset = RoundCondition.objects.filter(round_id=application.round_id)  # type: ignore[attr-defined]

    @STATE.transition(
        source=S.SUBMITTED,
        target=S.INELIGIBLE,
        label=gettext_lazy("Reject as ineligible"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Rejected as ineligible"), "form": RejectInput},
    )
    def reject(
        self,
        *,
        reason: str,
        ground_late: bool = False,
        ground_conditions: Any = (),
        ground_other: str = "",
        hearing_exception: str = "",
        hearing_exception_reason: str = "",
    ) -> None:
        grounds = self._rejection_grounds(ground_late, list(ground_conditions or ()), ground_other)
        hearing = self._hearing_payload(True, hearing_exception, hearing_exception_reason)
        self.application.screening_note = reason
        self.application.decided_at = timezone.now()
        self._save("screening_note", "decided_at")
        letter = letter_create(
            application=self.application,
            kind=DocumentKind.REJECTION,
            acting_user=self.actor,
            facts=Facts.to_record(reason, **grounds, **hearing),
        )
        self._record(reason=reason, letter=letter.pk, **grounds, **hearing)
        self._tell_association(Kind.APPLICATION_REJECTED, legal=True, letter=letter, reasons=reason)

    def _rejection_grounds(
        self, late: bool, conditions: list[RoundCondition], other: str
    ) -> dict[str, Any]:
        """The grounds as recorded (and stated in the letter); a late ground must be true."""
        grounds: dict[str, Any] = {}
        if late:
            received = self.application.received_at or self.application.submitted_at
            deadline = self.application.round.deadline
            if received is not None and received <= deadline:
                raise InvalidInput(
                    {
                        "ground_late": [
                            _("The application was received on %(when)s, before the deadline.")
                            % {"when": _when(received)}
                        ]
                    }
                )
            grounds["ground_late"] = True
        if conditions:
            grounds["ground_conditions"] = [c.pk for c in conditions]
        if other:
            grounds["ground_other"] = other
        return grounds

    class WithdrawInput(TransitionInput):
        reason = _note()

    @STATE.transition(
        source=StatusGroup.BEFORE_DECISION,
        target=S.WITHDRAWN,
        label=gettext_lazy("Withdraw"),
        permission=rules.applicant_or_paper_case_officer,
        conditions=[hearing_before_decision],
        # Not offered on a case heard on its usage report (decided): the condition costs a
        # query only in hearing.
        custom={
            "done": gettext_lazy("Withdrawn"),
            "form": WithdrawInput,
            "offer_when_possible": True,
        },
    )
    def withdraw(self, *, reason: str = "") -> None:
        hearing = self._close_hearing_on_withdrawal()
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        self._record(reason=reason, **({"hearing": hearing.pk} if hearing else {}))
        if self.from_state != S.DRAFT:
            self._tell_case_officers(Kind.APPLICATION_WITHDRAWN, reason=reason)

    class DecideDirectlyInput(HearingExceptionInput):
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

    def _apply_decision(
        self, outcome: str, value: Decimal, text: str, decided_on: datetime.date, **extra: Any
    ) -> None:
        requested = self.application.amount_requested or Decimal("0")
        self.application.granted_amount = value
        self.application.decision_reasons = text
        self.application.decided_at = timezone.now()
        # The meeting's date when taken at one (the record's time says when it was entered).
        self.application.decision_date = decided_on
        self._save("granted_amount", "decision_reasons", "decided_at", "decision_date")
        facts = {
            "outcome": outcome,
            "amount": value,
            "requested": requested,
            "recommended": self.application.recommended_amount,
            "decision_date": decided_on,
            **extra,
        }
        # The letter states what the record will hold (hearing, date); written once.
        letter = decision_letter_create(
            application=self.application,
            acting_user=self.actor,
            facts=Facts.to_record(text, **facts),
        )
        self._record(reason=text, letter=letter.pk, **facts)
        self._tell_association(
            Kind.DECISION,
            legal=True,
            letter=letter,
            granted=outcome == Outcome.GRANT,
            amount=value,
            reasons=text,
        )

    def _decide_within_ceiling(
        self,
        *,
        outcome: str,
        amount: Decimal | None,
        reason: str,
        confirm_overrun: bool,
        overrun_reason: str,
        hearing_exception: str,
        hearing_exception_reason: str,
    ) -> None:
        """A decision by the administration (the case officer), up to the round's ceiling per
        application: the same reasons, pool, hearing and letter rules as the committee's."""
        value = self._decision(outcome, amount, reason)
        ceiling = self.application.round.ceiling_per_application
        if ceiling is not None and value > ceiling:
            raise InvalidInput({"amount": [self.ceiling_message(ceiling)]})
        overrun = self._check_pool(value, confirm_overrun, overrun_reason)
        hearing = self._hearing_payload(
            value < (self.application.amount_requested or 0),
            hearing_exception,
            hearing_exception_reason,
        )
        self._apply_decision(outcome, value, reason, timezone.localdate(), **overrun, **hearing)

    def ceiling_message(self, ceiling: Decimal) -> str:
        return _("In this pool a grant can be at most %(ceiling)s.") % {"ceiling": money(ceiling)}


class CouncilTransitions(ScreeningTransitions):
    """The council's part: the case officer accepts the application for the council's review,
    and the council's chair records its recommendation at a meeting."""

    class AcceptInput(TransitionInput):
        reason = _note()

    @STATE.transition(
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

    # --- council and committee --------------------------------------------------------

    class RecommendInput(VoteInput):
        meeting = _meeting()
        outcome = outcome(
            Outcome.choices,
            gettext_lazy("Choose support in full, in part, or refuse."),
        )
        amount = Amount(label=gettext_lazy("Amount (DKK)"))
        reason = _note()
        criteria = _criteria()

        def for_case(self, application: Any) -> None:
            _round_criteria(self, application)

        field_order = ["meeting", "outcome", "amount", "reason"]

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if data.get("outcome") != Outcome.PARTIAL:
                self.drop("amount")  # in full is what was asked for; refused is nothing
            elif data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter an amount in kroner, e.g. 12500."))
            return data

    @STATE.transition(
        source=S.IN_COUNCIL_REVIEW,
        target=S.RECOMMENDED,
        label=gettext_lazy("Record the council's recommendation"),
        permission=rules.council_chair,
        conditions=[
            meetings.on_council_agenda,
            meetings.council_meeting_held,
            meetings.present_at_council,
            meetings.council_is_quorate,
        ],
        custom={
            "done": gettext_lazy("Council recommendation recorded"),
            "form": RecommendInput,
            "at_meeting": Body.COUNCIL,
        },
    )
    def recommend(
        self,
        *,
        outcome: str,
        amount: Decimal | None = None,
        reason: str = "",
        meeting: Meeting | None = None,
        criteria: Any = (),
        **vote: Any,
    ) -> None:
        requested = self.application.amount_requested or Decimal("0")
        held_at = self._held_at(Body.COUNCIL, meeting)
        quorum = self.quorum(held_at)
        voted = vote_payload(quorum, vote)
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
        votes = dict(VOTES.rows(meeting=held_at.pk, application=self.application.pk))
        self._record(
            reason=reason,
            outcome=outcome,
            amount=value,
            requested=requested,
            meeting=held_at.pk,
            present=quorum["present"],
            conflicted=quorum["conflicted"],
            assessments=votes,
            # The round's criteria it rests on, in order; recorded only when some are cited.
            **({"criteria": [c.pk for c in criteria]} if criteria else {}),
            decision_date=held_at.date,
            **voted,
        )


class ApplicationFlow(CouncilTransitions):
    """The council and committee flow: screened by the case officer, recommended by the
    council, decided by the committee. Use ``engine.perform`` to run a transition."""

    # --- the committee -----------------------------------------------------------------

    class DecideInput(VoteInput, ScreeningTransitions.DecideDirectlyInput):
        meeting = _meeting()

        field_order = ["meeting", "outcome", "amount", "reason"]

    @STATE.transition(
        source=S.RECOMMENDED,
        target=fsm.State.GET_STATE(decision_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide"),
        permission=rules.committee_chair,
        conditions=[
            meetings.on_committee_agenda,
            meetings.committee_meeting_held,
            meetings.present_at_committee,
            meetings.committee_is_quorate,
        ],
        custom={
            "done": gettext_lazy("Decided"),
            "form": DecideInput,
            "spends_pool": True,
            "at_meeting": Body.COMMITTEE,
        },
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
        hearing_exception: str = "",
        hearing_exception_reason: str = "",
        **vote: Any,
    ) -> None:
        held_at = self._held_at(Body.COMMITTEE, meeting)
        voted = vote_payload(self.quorum(held_at), vote)
        value = self._decision(outcome, amount, reason)
        overrun = self._check_pool(value, confirm_overrun, overrun_reason)
        hearing = self._hearing_payload(
            value < (self.application.amount_requested or 0),
            hearing_exception,
            hearing_exception_reason,
        )
        self._apply_decision(
            outcome, value, reason, held_at.date, meeting=held_at.pk, **voted, **overrun, **hearing
        )

    class SendBackInput(TransitionInput):
        reason = text(
            gettext_lazy("Reasons / note"),
            required_message=gettext_lazy("Say why the application goes back to the council."),
        )

    @STATE.transition(
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
