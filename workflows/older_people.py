"""Activities for older people (Serviceloven § 79): a scheme with rules of its own, as a flow.

    draft ─submit→ submitted ─accept→ in_council_review ─recommend→ recommended
    recommended ─decide_directly→ granted/refused       (the case officer, within the ceiling)
    submitted ─request_info→ info_requested ─provide_info→ submitted;  ─reject→ ineligible
    granted ─pay→ paid … (after the grant as in every application flow)

What differs from the § 18 council and committee flow (``application.py``):

- the round's scheme is § 79 (the round form refuses another), so every letter cites
  Serviceloven § 79;
- an application can only be submitted when the activity is for older people: "Older
  people" is among its target groups (``serves_older_people``);
- the council recommends as in § 18, but the case officer decides — within the round's
  ceiling per application — and the decision letter, sent by the administration, says that
  it follows the council's recommendation. There is no committee.

Nothing here touches the engine: the flow is registered (``engine.register``) and a round
chooses it by its name (docs/flows.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.flow_paths import ADMINISTRATION_STEP, COUNCIL_STEP, LETTER_STEP, SCREENING_STEP
from cases.models import Scheme, TargetGroupCode
from workflows import rules
from workflows.application import (
    CouncilTransitions,
    ScreeningTransitions,
    decision_target,
    is_complete,
    no_overdue_usage_report,
    round_is_open,
)
from workflows.application_base import STATE, S
from workflows.flow import condition


@condition
def serves_older_people(flow: OlderPeopleFlow) -> fsm.State.CONDITION:
    """§ 79 supports activities for older people: the application must say they are its
    target group (one query)."""
    if flow.application.target_groups.filter(code=TargetGroupCode.OLDER).exists():
        return fsm.State.CONDITION(True)
    return fsm.State.CONDITION(
        False,
        _(
            "A grant under § 79 supports activities for older people: choose “%(group)s” "
            "among the application's target groups."
        )
        % {"group": TargetGroupCode.OLDER.label},
    )


class OlderPeopleFlow(CouncilTransitions):
    """§ 79: screened by the case officer, recommended by the council, decided by the case
    officer within the ceiling."""

    name = "older_people"
    title = gettext_lazy("§ 79 activities for older people")
    description = gettext_lazy(
        "For § 79 rounds: only activities for older people can apply; the case officer "
        "screens, the council recommends, the case officer decides within the ceiling."
    )
    path = (SCREENING_STEP, COUNCIL_STEP, ADMINISTRATION_STEP, LETTER_STEP)
    # The round form refuses this flow for a round of another scheme.
    scheme = Scheme.S79

    @STATE.transition(
        source=S.DRAFT,
        target=S.SUBMITTED,
        label=gettext_lazy("Submit"),
        permission=rules.applicant_or_paper_case_officer,
        conditions=[round_is_open, is_complete, no_overdue_usage_report, serves_older_people],
        custom={"done": gettext_lazy("Submitted"), "form": ScreeningTransitions.SubmitInput},
    )
    def submit(self) -> None:
        super().submit.original()

    @STATE.transition(
        source=S.RECOMMENDED,
        target=fsm.State.GET_STATE(decision_target, states=[S.GRANTED, S.REFUSED]),
        label=gettext_lazy("Decide after the council's recommendation"),
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
