"""The guided application: the draft's fields in steps, each its own page.

Which field sits on which step is said here once; what a step still lacks comes from
the submit rule (``cases.completeness.missing``), so the step indicator, the review page
and the flow's refusal always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from cases.completeness import ATTACHMENTS, BUDGET_LINES, Missing


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    #: The ``ApplicationForm`` fields on this step, in order.
    fields: tuple[str, ...]
    #: Whether the budget lines (a formset) are on this step.
    budget: bool = False
    #: Whether the attachments are uploaded on this step.
    uploads: bool = False

    @property
    def owns(self) -> set[str]:
        """The fields a problem may point at on this step."""
        extra = {BUDGET_LINES} if self.budget else set()
        return set(self.fields) | extra | ({ATTACHMENTS} if self.uploads else set())


STEPS: tuple[Step, ...] = (
    Step("association", gettext_lazy("About the association"), ("volunteers", "members")),
    Step(
        "activity",
        gettext_lazy("The activity"),
        (
            "title",
            "purpose",
            "target_group",
            "target_groups",
            "focus_areas",
            "activity_description",
            "participants",
        ),
    ),
    Step(
        "budget",
        gettext_lazy("The budget"),
        ("amount_requested", "other_funding", "other_funding_note"),
        budget=True,
    ),
    Step("attachments", gettext_lazy("Attachments"), (), uploads=True),
    Step(
        "declarations",
        gettext_lazy("Declarations"),
        ("declaration_correct", "works_with_children", "child_certificates_obtained"),
    ),
)

BY_SLUG = {step.slug: step for step in STEPS}


def step_of(field: str) -> Step:
    """The step where ``field`` is filled in."""
    return next(step for step in STEPS if field in step.owns)


def anchor(field: str) -> str:
    """The id of the input to focus for ``field`` (a group's first box, the first line)."""
    if field == BUDGET_LINES:
        return "id_lines-0-description"
    if field == ATTACHMENTS:
        return "id_kind"
    if field in ("focus_areas", "target_groups"):
        return f"id_{field}_0"
    return f"id_{field}"


def field_url(application_pk: int, field: str) -> str:
    """Where to fill in ``field``: its step's page, at the input."""
    url = reverse("applications:draft_step", args=[application_pk, step_of(field).slug])
    return f"{url}#{anchor(field)}"


def next_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


@dataclass(frozen=True)
class StepState:
    step: Step
    number: int
    current: bool
    missing: int

    @property
    def done(self) -> bool:
        return not self.missing


def progress(current: Step | None, problems: list[Missing]) -> list[StepState]:
    """Each step with how much it still lacks, for the step indicator."""
    return [
        StepState(
            step=step,
            number=number,
            current=step == current,
            missing=sum(1 for p in problems if p.field in step.owns),
        )
        for number, step in enumerate(STEPS, start=1)
    ]


def first_unfinished(problems: list[Missing]) -> Step:
    """The first step that still lacks something (the first step when nothing is missing)."""
    fields = {p.field for p in problems}
    return next((step for step in STEPS if step.owns & fields), STEPS[0])
