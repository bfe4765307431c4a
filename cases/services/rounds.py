"""Creating and editing a round (pulje) in the screens (issue 17), not only in the admin.

``round_save`` is the one write. The rule of who may is ``cases.permissions``
(``require_may_edit_rounds``: the municipality's case officers and managers). Once an
application has been submitted to the round, what the applications were assessed on —
the conditions of eligibility, the assessment criteria, how they are assessed, the focus
areas and the attachments required — is fixed: changing it would change the basis of
cases already decided or under way. Dates, the pool and the purpose can still change.
Every change is kept by simple-history (the round and each of its rows, with who did it).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    ApplicationStatus,
    FocusArea,
    GrantRound,
    Municipality,
    RoundCondition,
    RoundCriterion,
)

# The round's own fields that are the basis of the assessment: fixed after a submission.
BASIS_FIELDS = ("scheme", "criteria_scoring", "required_attachments")
EDITABLE_FIELDS = (
    "name",
    "purpose",
    "scheme",
    "criteria_scoring",
    "opens_at",
    "deadline",
    "pool_amount",
    "ceiling_per_application",
    "council_meeting_date",
    "committee_meeting_date",
    "report_deadline",
    "flow",
    "required_attachments",
)
# The rows hanging off the round: (model, the fields a row carries).
CHILDREN: dict[str, tuple[Any, tuple[str, ...]]] = {
    "focus_areas": (FocusArea, ("name",)),
    "conditions": (RoundCondition, ("position", "text", "help_text")),
    "criteria": (RoundCriterion, ("position", "title", "help_text")),
}


def basis_locked_reason() -> str:
    return _(
        "Applications have been submitted to this round, so its conditions, criteria, focus "
        "areas, assessment and required attachments can no longer change: they are the basis "
        "on which the applications are assessed and decided."
    )


def flow_locked_reason() -> str:
    return _(
        "Applications have been submitted to this round, so its flow can no longer change: "
        "the cases under way follow the flow they were submitted in. Open a new round to "
        "use another flow."
    )


def has_submissions(grant_round: GrantRound | None) -> bool:
    if grant_round is None or grant_round.pk is None:
        return False
    return grant_round.applications.exclude(status=ApplicationStatus.DRAFT).exists()


def _day(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def round_problems(fields: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a round's fields, per field (empty when nothing is)."""
    problems: dict[str, str] = {}
    opens, deadline = fields.get("opens_at"), fields.get("deadline")
    if opens and deadline and deadline <= opens:
        problems["deadline"] = _("The deadline must come after the round opens.")
    pool = fields.get("pool_amount")
    if pool is not None and pool <= 0:
        problems["pool_amount"] = _("The pool must be more than 0 kr.")
    ceiling = fields.get("ceiling_per_application")
    if ceiling is not None and pool is not None and (ceiling <= 0 or ceiling > pool):
        problems["ceiling_per_application"] = _(
            "The ceiling must be more than 0 kr. and no more than the pool."
        )
    council, committee = fields.get("council_meeting_date"), fields.get("committee_meeting_date")
    if council and deadline and council < _day(deadline):
        problems["council_meeting_date"] = _("The council meets after the deadline, not before.")
    if committee and deadline and committee < _day(deadline):
        problems["committee_meeting_date"] = _(
            "The committee meets after the deadline, not before."
        )
    elif committee and council and committee < council:
        problems["committee_meeting_date"] = _(
            "The committee decides after the council's recommendation: its meeting comes "
            "after the council's."
        )
    report = fields.get("report_deadline")
    if report and deadline and report <= _day(deadline):
        problems["report_deadline"] = _("The usage report deadline comes after the deadline.")
    return problems


def _sync(grant_round: GrantRound, name: str, rows: list[dict[str, Any]]) -> None:
    """Make the round's ``name`` rows what ``rows`` say: a row with an ``id`` is changed
    (or deleted with ``delete``), one without is added. Ids of another round are ignored."""
    model, columns = CHILDREN[name]
    existing = {row.pk: row for row in model.objects.filter(round=grant_round)}
    for row in rows:
        current = existing.get(row.get("id") or 0)
        if row.get("delete"):
            if current is not None:
                current.delete()
            continue
        values = {column: row.get(column) for column in columns if column in row}
        if current is None:
            model.objects.create(round=grant_round, **values)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            current.save(update_fields=list(values))


def _rows_change(grant_round: GrantRound, name: str, rows: list[dict[str, Any]]) -> bool:
    model, columns = CHILDREN[name]
    existing = {row.pk: row for row in model.objects.filter(round=grant_round)}
    for row in rows:
        current = existing.get(row.get("id") or 0)
        if row.get("delete"):
            if current is not None:
                return True
            continue
        if current is None or any(getattr(current, c) != row.get(c) for c in columns if c in row):
            return True
    return False


def round_save(
    *,
    acting_user: Any,
    municipality: Municipality,
    fields: dict[str, Any],
    grant_round: GrantRound | None = None,
    children: dict[str, list[dict[str, Any]]] | None = None,
) -> GrantRound:
    """Create (``grant_round`` None) or change a round of ``municipality``.

    ``fields``: the round's own (``EDITABLE_FIELDS``); ``children``: per name of
    ``CHILDREN``, the rows (see ``_sync``). Raises PermissionDenied for a user who may not,
    ValidationError per field for what is wrong or may no longer change.
    """
    permissions.require_may_edit_rounds(acting_user, municipality.pk)
    if grant_round is not None and grant_round.municipality_id != municipality.pk:
        raise ValidationError(_("The round belongs to another municipality."))
    children = children or {}
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Not a field of a round: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    problems = round_problems(fields)
    with transaction.atomic():
        if grant_round is not None:
            grant_round = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        if has_submissions(grant_round):
            assert grant_round is not None
            reason = basis_locked_reason()
            for name in BASIS_FIELDS:
                if name in fields and fields[name] != getattr(grant_round, name):
                    problems[name] = reason
            if "flow" in fields and fields["flow"] != grant_round.flow:
                problems["flow"] = flow_locked_reason()
            for name, rows in children.items():
                if _rows_change(grant_round, name, rows):
                    problems[name] = reason
        if problems:
            raise ValidationError(problems)
        if grant_round is None:
            grant_round = GrantRound(municipality=municipality)
        for name, value in fields.items():
            setattr(grant_round, name, value)
        grant_round.full_clean(exclude=["municipality"])
        grant_round.save()
        for name, rows in children.items():
            _sync(grant_round, name, rows)
    return grant_round
