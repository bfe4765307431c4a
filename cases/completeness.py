"""What an application still lacks before it can be submitted."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from cases.formatting import money
from cases.models import Application, AttachmentKind


def completeness_problems(application: Application) -> list[str]:
    """Every missing piece, in the order the form asks for them (three queries)."""
    problems: list[str] = []
    for field in ("title", "purpose", "target_group", "activity_description"):
        if not (getattr(application, field) or "").strip():
            label = Application._meta.get_field(field).verbose_name  # type: ignore[union-attr]
            problems.append(_("%(field)s is missing") % {"field": str(label)})
    if application.amount_requested is None or application.amount_requested <= 0:
        problems.append(_("the amount requested is missing"))
    if application.volunteers is None:
        problems.append(_("the number of volunteers is missing"))

    amounts = [line.amount for line in application.budget_lines.all()]
    if not amounts:
        problems.append(_("at least one budget line is needed"))
    elif application.amount_requested is not None:
        total = sum(amounts, Decimal("0"))
        if total != application.amount_requested:
            problems.append(
                _("the budget lines add up to %(total)s, not the %(requested)s requested")
                % {"total": money(total), "requested": money(application.amount_requested)}
            )

    present = {a.kind for a in application.attachments.all()}
    labels = dict(AttachmentKind.choices)
    for kind in application.round.required_attachments or []:
        if kind not in present:
            problems.append(
                _("attachment missing: %(kind)s") % {"kind": str(labels.get(kind, kind)).lower()}
            )

    if not application.declaration_correct:
        problems.append(_("the declaration that the information is correct is not given"))
    if application.works_with_children and not application.child_certificates_obtained:
        problems.append(_("child protection certificates must be obtained"))
    round_focus = application.round.focus_areas.exists()
    if round_focus and not application.focus_areas.exists():
        problems.append(_("choose at least one focus area"))
    return problems
