"""The application after the grant: payouts, the usage report and its settlement.

A part of ``ApplicationFlow`` (see ``application_base.py``): the transitions from
``granted`` on. The usage report's own review (submitted → returned / approved) is a
flow of its own, ``usage_report.py``, driven by ``return_report`` and ``approve_report``.

    granted ─pay→ paid (─pay→ paid: instalments) ─submit_report→ report_submitted
    report_submitted ─return_report→ paid;  ─approve_report→ closed (─register_repayment→ closed)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases import limits
from cases.documents.letter_context import Facts
from cases.documents.letters import letter_create
from cases.errors import InvalidInput
from cases.formatting import money
from cases.models import (
    ApplicationStatus,
    CarryOver,
    DocumentKind,
    Payout,
    RepaymentClaim,
    UsageReport,
)
from cases.services import grants as grant_services
from notifications.models import Kind
from workflows import rules
from workflows.application_base import STATE, _note, _reference
from workflows.flow import condition
from workflows.hearing import HearingExceptionInput, HearingTransitions
from workflows.inputs import (
    Amount,
    ReportFiles,
    ReportLines,
    TransitionInput,
    iso_date,
    text,
)
from workflows.usage_report import UsageReportFlow

S = ApplicationStatus
REPAYMENT_DAYS = 30  # a repayment claim falls due this many days after approval, unless set


@condition
def has_outstanding_claim(flow: AfterGrantTransitions) -> fsm.State.CONDITION:
    if RepaymentClaim.objects.filter(application=flow.application, paid_on__isnull=True).exists():
        return fsm.State.CONDITION(True)
    return fsm.State.CONDITION(False, _("There is no outstanding repayment claim on this case."))


@condition
def has_report_awaiting_review(flow: AfterGrantTransitions) -> fsm.State.CONDITION:
    if flow.review() is None:
        return fsm.State.CONDITION(False, _("There is no usage report awaiting review."))
    return fsm.State.CONDITION(True)


class AfterGrantTransitions(HearingTransitions):
    """Payouts, the usage report and repayment: the flow from ``granted`` on."""

    class PayInput(TransitionInput):
        amount = Amount(label=gettext_lazy("Amount (DKK)"))
        paid_on = iso_date(
            gettext_lazy("Payment date"),
            invalid_message=gettext_lazy("Enter the payment date as YYYY-MM-DD."),
        )
        reference = _reference()

    @STATE.transition(
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

    @STATE.transition(
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

    @STATE.transition(
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
        letter = letter_create(
            application=self.application,
            kind=DocumentKind.REPORT_RETURNED,
            acting_user=self.actor,
            facts=Facts.to_record(reason, report=review.report.pk),
        )
        self._record(reason=reason, report=review.report.pk, letter=letter.pk)
        self._tell_association(Kind.REPORT_RETURNED, legal=True, letter=letter, reasons=reason)

    class ApproveReportInput(HearingExceptionInput):
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

    @STATE.transition(
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
        hearing_exception: str = "",
        hearing_exception_reason: str = "",
    ) -> None:
        review = self._report_flow()
        report = review.report
        unspent = report.unspent_amount
        outcome = self._settle(report, unspent, settlement, repayment_due, carry_over_reason)
        # A repayment claim is adverse (fvl. § 19): heard since the report, or excepted.
        # Checked after the settlement's own input (the claim is rolled back with it).
        hearing = self._hearing_payload(
            "repayment_claim" in outcome,
            hearing_exception,
            hearing_exception_reason,
            since=report.submitted_at,
        )
        review.take("approve", reasons=reason)
        self.application.closed_at = timezone.now()
        self._save("closed_at")
        letter = None
        if "repayment_claim" in outcome:
            letter = letter_create(
                application=self.application,
                kind=DocumentKind.REPAYMENT_CLAIM,
                acting_user=self.actor,
                facts=Facts.to_record(
                    reason, report=report.pk, unspent=unspent, **outcome, **hearing
                ),
            )
            outcome["letter"] = letter.pk
        self._record(reason=reason, report=report.pk, unspent=unspent, **outcome, **hearing)
        self._tell_association(Kind.REPORT_APPROVED)
        if "repayment_claim" in outcome:
            self._tell_association(
                Kind.REPAYMENT_CLAIMED,
                legal=True,
                letter=letter,
                amount=unspent,
                due_on=outcome["repayment_due"],
                reference=outcome["payment_reference"],
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
            claim.assign_payment_reference()
            claim._history_user = self.actor  # type: ignore[attr-defined]
            claim.save()
            return {
                "settlement": "repayment",
                "repayment_claim": claim.pk,
                "repayment_due": due,
                "payment_reference": claim.payment_reference,
            }
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

    @STATE.transition(
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
