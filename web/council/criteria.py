"""The assessment form's fields per criterion of the round: a score or a verdict each.

Every field is optional (a member may leave a criterion unassessed); the service
(``cases.services.criteria``) checks the values again and names the field that is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Assessment, CriteriaScoring, CriterionVerdict, RoundCriterion
from cases.services.criteria import field_name
from web.forms import style_fields

NOT_ASSESSED = gettext_lazy("Not assessed")


def criterion_field(criterion: RoundCriterion, scoring: str) -> forms.ChoiceField:
    choices: list[tuple[str, Any]]
    hint: Any = ""
    # The service's words for a value that is not offered (a page sent with another).
    if scoring == CriteriaScoring.SCORE:
        choices = [(str(n), str(n)) for n in range(1, 6)]
        hint = gettext_lazy("1 is the lowest, 5 the highest.")
        invalid = _("Give »%(criterion)s« a score from 1 to 5.")
    else:
        choices = list(CriterionVerdict.choices)
        invalid = _("Answer »%(criterion)s« with yes, partly or no.")
    help_text = " ".join(str(t) for t in (criterion.help_text, hint) if t)
    return forms.ChoiceField(
        label=criterion.title,
        help_text=help_text,
        choices=[("", NOT_ASSESSED), *choices],
        required=False,
        error_messages={"invalid_choice": invalid % {"criterion": criterion.title}},
    )


def add_criterion_fields(
    form: forms.Form, criteria: Sequence[RoundCriterion], scoring: str
) -> None:
    fields: dict[str, forms.Field] = {
        field_name(c.pk): criterion_field(c, scoring) for c in criteria
    }
    style_fields(fields)
    form.fields.update(fields)


def criterion_initial(assessment: Assessment | None) -> dict[str, str]:
    """A saved assessment's values as the form's initial data (prefetched values)."""
    if assessment is None:
        return {}
    return {
        field_name(v.criterion_id): str(v.score) if v.score is not None else v.verdict
        for v in assessment.criterion_values.all()
    }


def criterion_values(form: forms.Form, criteria: Sequence[RoundCriterion]) -> dict[int, Any] | None:
    """What the form says per criterion, for the service; None when the round has none."""
    if not criteria:
        return None
    return {c.pk: form.cleaned_data.get(field_name(c.pk)) or "" for c in criteria}
