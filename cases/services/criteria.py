"""A council member's values per criterion, within their assessment of an application.

The round says whether its criteria are assessed at all (``criteria_scoring``): with a
score from 1 to 5, with a verdict (yes / partly / no), or not. Every value is optional:
a member may leave a criterion unassessed. ``parse_criterion_values`` checks the input
against the application's round and words what is wrong per criterion (the key
``criterion_<id>``, the screen's field) or about the input as a whole (``criteria``);
``save_criterion_values`` writes what was parsed, inside the assessment's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import (
    Assessment,
    CriteriaScoring,
    CriterionAssessment,
    CriterionVerdict,
    GrantRound,
    RoundCriterion,
)
from cases.parsing import parse_int


def field_name(criterion_id: int) -> str:
    """The name of a criterion's field on a screen, and of its error in the service."""
    return f"criterion_{criterion_id}"


@dataclass(frozen=True)
class Value:
    criterion: RoundCriterion
    score: int | None = None
    verdict: str = ""


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_criterion_values(
    grant_round: GrantRound, values: Mapping[Any, Any] | None
) -> dict[RoundCriterion, Value | None] | None:
    """Criterion -> its new value (None: not assessed), for every criterion of the round;
    None when ``values`` is None (nothing sent: what was recorded stays).

    ``values`` maps a criterion's id to a score (1–5, a number or its digits) or a
    verdict ("yes", "partly", "no"); an empty value leaves the criterion unassessed.
    """
    if values is None:
        return None
    scoring = grant_round.criteria_scoring
    given = {key: value for key, value in values.items() if not _empty(value)}
    if scoring == CriteriaScoring.NONE:
        if given:
            raise ValidationError(
                {"criteria": [_("This round's criteria are not assessed one by one.")]}
            )
        return None
    criteria = {c.pk: c for c in grant_round.criteria.all()}
    unknown = [key for key in values if parse_int(key) not in criteria]
    if unknown:
        raise ValidationError(
            {
                "criteria": [
                    _("%(ids)s is not one of this round's criteria.")
                    % {"ids": ", ".join(str(k) for k in unknown)}
                ]
            }
        )
    by_id = {parse_int(key): value for key, value in given.items()}
    parsed: dict[RoundCriterion, Value | None] = {}
    errors: dict[str, list[str]] = {}
    for pk, criterion in criteria.items():
        if pk not in by_id:
            parsed[criterion] = None
            continue
        raw = by_id[pk]
        if scoring == CriteriaScoring.SCORE:
            score = parse_int(raw, minimum=1, maximum=5)
            if score is None:
                errors[field_name(pk)] = [
                    _("Give »%(criterion)s« a score from 1 to 5.") % {"criterion": criterion.title}
                ]
            else:
                parsed[criterion] = Value(criterion, score=score)
        elif isinstance(raw, str) and raw.strip() in CriterionVerdict.values:
            parsed[criterion] = Value(criterion, verdict=raw.strip())
        else:
            errors[field_name(pk)] = [
                _("Answer »%(criterion)s« with yes, partly or no.") % {"criterion": criterion.title}
            ]
    if errors:
        raise ValidationError(errors)
    return parsed


def save_criterion_values(
    *, assessment: Assessment, values: dict[RoundCriterion, Value | None] | None, acting_user: Any
) -> None:
    """Write the parsed values: set, changed, or removed when left unassessed."""
    if values is None:
        return
    existing: dict[int, CriterionAssessment] = {
        v.criterion_id: v for v in CriterionAssessment.objects.filter(assessment=assessment)
    }
    for criterion, value in values.items():
        row = existing.get(criterion.pk)
        if value is None:
            if row is not None:
                row._history_user = acting_user  # type: ignore[attr-defined]
                row.delete()
            continue
        if row is not None and (row.score, row.verdict) == (value.score, value.verdict):
            continue
        if row is None:
            row = CriterionAssessment(assessment=assessment, criterion=criterion)
        row.score, row.verdict = value.score, value.verdict
        row._history_user = acting_user  # type: ignore[attr-defined]
        row.save()
