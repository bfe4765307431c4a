"""The quick pool (akutpulje): a round decided by the administration, all year round.

    draft ─submit→ submitted ─decide_directly→ granted/refused
    submitted ─request_info→ info_requested ─provide_info→ submitted;  ─reject→ ineligible
    granted ─pay→ paid … (after the grant as in every application flow)

No council and no committee: the case officer screens the application (asks for what is
missing, rejects one that does not meet the round's conditions) and decides it, up to the
round's ceiling per application. Screening and deciding are one person's work here, so
there is no "accept" step between them. Everything else is the shared parts': the
submission's conditions, the reasons (fvl. § 22), the pool and its overrun, the hearing
(fvl. § 19), the decision letter and the notice to the association.

A quick pool grants money that must be accounted for like any other § 18 grant: after the
grant it follows the same payouts, usage report and repayment (``after_grant.py``).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.flow_paths import ADMINISTRATION_STEP, LETTER_STEP, SCREENING_STEP
from cases.formatting import money
from workflows import rules
from workflows.application import ScreeningTransitions, decision_target
from workflows.application_base import STATE, S


class QuickPoolFlow(ScreeningTransitions):
    """The quick pool's flow: submitted, screened and decided by the case officer."""

    name = "quick_pool"
    title = gettext_lazy("Quick pool (akutpulje)")
    description = gettext_lazy(
        "The case officer screens and decides, up to the ceiling per application; no meetings."
    )
    path = (SCREENING_STEP, ADMINISTRATION_STEP, LETTER_STEP)

    @STATE.transition(
        source=S.SUBMITTED,
        target=fsm.State.GET_STATE(decision_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide (quick pool)"),
        permission=rules.case_officer,
        custom={
            "done": gettext_lazy("Decided by the administration"),
            "form": ScreeningTransitions.DecideDirectlyInput,
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
        hearing_exception: str = "",
        hearing_exception_reason: str = "",
    ) -> None:
        self._decide_within_ceiling(
            outcome=outcome,
            amount=amount,
            reason=reason,
            confirm_overrun=confirm_overrun,
            overrun_reason=overrun_reason,
            hearing_exception=hearing_exception,
            hearing_exception_reason=hearing_exception_reason,
        )

    def ceiling_message(self, ceiling: Decimal) -> str:
        return _("In this quick pool a grant can be at most %(ceiling)s.") % {
            "ceiling": money(ceiling)
        }
