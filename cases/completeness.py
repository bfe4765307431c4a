"""What an application still lacks before it can be submitted.

The submit rule is written once, here, as ``REQUIREMENTS``: the flow's ``is_complete``
condition refuses a submission with the problems it finds, and the application form
marks a field "required" exactly when a requirement of the round names it
(``required_fields``) and "optional" otherwise. A requirement names the form field a
person fills in to meet it (``field``): the review page links each problem there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, DecimalField, Value
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.formatting import money
from cases.models import (
    Application,
    Attachment,
    AttachmentKind,
    BudgetLine,
    FocusArea,
    GrantRound,
)

#: The field a person fills in for the budget lines and for an attachment of a kind.
BUDGET_LINES = "lines"
ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class Missing:
    """One thing the application lacks: the field to fill in, and what to say."""

    field: str
    message: str


@dataclass(frozen=True)
class Facts:
    """What the rule reads besides the application's own columns (``facts_of``)."""

    budget_amounts: list[Decimal]
    attachment_kinds: set[str]
    round_has_focus_areas: bool


@dataclass(frozen=True)
class Requirement:
    """One part of the submit rule.

    ``check`` returns the problems (empty: met). ``applies`` says for which rounds the
    requirement holds (default: every round); ``when`` names the answer on which it
    depends, if any (the requirement is then conditional, e.g. child protection
    certificates only for work with children).
    """

    field: str
    check: Callable[[Application, Facts], list[str]]
    applies: Callable[[GrantRound], bool] = lambda grant_round: True
    when: str = ""


def _text(field: str) -> Requirement:
    def check(application: Application, facts: Facts) -> list[str]:
        if (getattr(application, field) or "").strip():
            return []
        label = Application._meta.get_field(field).verbose_name  # type: ignore[union-attr]
        return [_("%(field)s is missing") % {"field": str(label)}]

    return Requirement(field, check)


def _amount(application: Application, facts: Facts) -> list[str]:
    if application.amount_requested is None or application.amount_requested <= 0:
        return [_("the amount requested is missing")]
    return []


def _volunteers(application: Application, facts: Facts) -> list[str]:
    return [_("the number of volunteers is missing")] if application.volunteers is None else []


def _budget(application: Application, facts: Facts) -> list[str]:
    if not facts.budget_amounts:
        return [_("at least one budget line is needed")]
    if application.amount_requested is not None:
        total = sum(facts.budget_amounts, Decimal("0"))
        if total != application.amount_requested:
            return [
                _("the budget lines add up to %(total)s, not the %(requested)s requested")
                % {"total": money(total), "requested": money(application.amount_requested)}
            ]
    return []


def _attachments(application: Application, facts: Facts) -> list[str]:
    labels = dict(AttachmentKind.choices)
    return [
        _("attachment missing: %(kind)s") % {"kind": str(labels.get(kind, kind)).lower()}
        for kind in application.round.required_attachments or []
        if kind not in facts.attachment_kinds
    ]


def _declaration(application: Application, facts: Facts) -> list[str]:
    if application.declaration_correct:
        return []
    return [_("the declaration that the information is correct is not given")]


def _child_certificates(application: Application, facts: Facts) -> list[str]:
    if application.works_with_children and not application.child_certificates_obtained:
        return [_("child protection certificates must be obtained")]
    return []


def _focus_areas(application: Application, facts: Facts) -> list[str]:
    if facts.round_has_focus_areas and not application.focus_areas.exists():
        return [_("choose at least one focus area")]
    return []


#: The submit rule, in the order the form asks for the fields.
REQUIREMENTS: tuple[Requirement, ...] = (
    _text("title"),
    _text("purpose"),
    _text("target_group"),
    _text("activity_description"),
    Requirement("amount_requested", _amount),
    Requirement("volunteers", _volunteers),
    Requirement(BUDGET_LINES, _budget),
    Requirement(
        ATTACHMENTS,
        _attachments,
        applies=lambda grant_round: bool(grant_round.required_attachments),
    ),
    Requirement("declaration_correct", _declaration),
    Requirement("child_certificates_obtained", _child_certificates, when="works_with_children"),
    Requirement(
        "focus_areas", _focus_areas, applies=lambda grant_round: grant_round.focus_areas.exists()
    ),
)


def required_fields(grant_round: GrantRound) -> set[str]:
    """The fields the submit rule always requires in ``grant_round`` (one query)."""
    return {r.field for r in REQUIREMENTS if not r.when and r.applies(grant_round)}


def conditional_fields() -> dict[str, str]:
    """Field -> the answer it depends on, for the requirements that hold only sometimes."""
    return {r.field: r.when for r in REQUIREMENTS if r.when}


def _facts(application: int, round: int) -> Any:
    # One UNION ALL, (which, amount, kind): 0 per budget line, 1 per attachment, 2 per focus
    # area of the round. A submission pays a round trip per statement (issue 19).
    no_amount = Value(None, output_field=DecimalField(max_digits=12, decimal_places=2))
    no_kind = Value(None, output_field=CharField())
    return (
        BudgetLine.objects.filter(application_id=application)
        .order_by()
        .annotate(which=Value(0), no_kind=no_kind)
        .values_list("which", "amount", "no_kind")
        .union(
            Attachment.objects.filter(application_id=application)
            .order_by()
            .annotate(which=Value(1), no_amount=no_amount)
            .values_list("which", "no_amount", "kind"),
            FocusArea.objects.filter(round_id=round)
            .order_by()
            .annotate(which=Value(2), no_amount=no_amount, no_kind=no_kind)
            .values_list("which", "no_amount", "no_kind"),
            all=True,
        )
    )


# What the rule reads, compiled once (cases/compiled.py): every submission asks it.
FACTS = Compiled(_facts, "application", "round")


def _prefetched(instance: Any, relation: str) -> list[Any] | None:
    """The related objects a page fetched already (``prefetch_related``), or None."""
    found = getattr(instance, "_prefetched_objects_cache", {}).get(relation)
    return None if found is None else list(found)


def facts_of(application: Application) -> Facts:
    """What the rule needs beyond the case's own fields: one statement, none when the page
    prefetched the budget lines, the attachments and the round's focus areas."""
    lines = _prefetched(application, "budget_lines")
    attachments = _prefetched(application, "attachments")
    areas = _prefetched(application.round, "focus_areas")
    if lines is not None and attachments is not None and areas is not None:
        return Facts(
            budget_amounts=[line.amount for line in lines],
            attachment_kinds={a.kind for a in attachments},
            round_has_focus_areas=bool(areas),
        )
    found: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for which, amount, kind in FACTS.rows(
        application=application.pk or 0, round=application.round_id
    ):
        found[which].append(amount if which == 0 else kind)
    return Facts(
        budget_amounts=[line.amount for line in lines] if lines is not None else found[0],
        attachment_kinds={a.kind for a in attachments}
        if attachments is not None
        else set(found[1]),
        round_has_focus_areas=bool(areas) if areas is not None else bool(found[2]),
    )


def missing(application: Application) -> list[Missing]:
    """Every missing piece, in the order the form asks for them (``facts_of``: one query)."""
    facts = facts_of(application)
    return [
        Missing(requirement.field, message)
        for requirement in REQUIREMENTS
        for message in requirement.check(application, facts)
    ]


def completeness_problems(application: Application) -> list[str]:
    """The messages of ``missing``, as the flow's refusal lists them."""
    return [m.message for m in missing(application)]
