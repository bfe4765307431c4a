"""The row forms of the bulk recommendation and decision page.

Each agenda item gets its own form with the prefix ``row-<application id>``, so the
page is the same however the rows are ordered, and every error sits next to its
field. The rules themselves (reasons for less than requested, the pool, quorum)
stay in the transitions: the forms only parse what was typed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .bulk import SKIP
from .forms import MONEY_FIELD, OUTCOMES, style_fields
from .models import Application, Body, RecommendationOutcome


def normalise_amount(text: str) -> str:
    """'12.500,50' and '12500.50' (and '12 500,50') -> '12500.50' in Danish; the mirror in English.

    Django's localized DecimalField refuses '12.500,50' unless thousand separators are
    switched on for the whole site. The rule is Django's own (``sanitize_separators``):
    a single thousand separator not followed by exactly three digits was meant as the
    decimal point. static/js/bulk.js parses the same way.
    """
    decimal_sep = str(get_format("DECIMAL_SEPARATOR"))
    thousand_sep = str(get_format("THOUSAND_SEPARATOR"))
    value = "".join(text.split()).replace("\u00a0", "")
    if decimal_sep in value:
        whole, fraction = value.rsplit(decimal_sep, 1)
        if thousand_sep in fraction:
            return value  # '12,50.5' in Danish: leave it for DecimalField to refuse
        return whole.replace(thousand_sep, "") + "." + fraction
    parts = value.split(thousand_sep)
    if len(parts) == 2 and len(parts[1]) != 3:
        return parts[0] + "." + parts[1]
    return "".join(parts)


class AmountField(forms.DecimalField):
    """A money field that takes Danish and plain notation alike, shown in the user's notation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**MONEY_FIELD, "widget": forms.TextInput, **kwargs})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = normalise_amount(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text input: type=number would refuse "12.500,50" in the browser.
        return {**super().widget_attrs(widget), "inputmode": "decimal"}


class BulkRowForm(forms.Form):
    """One agenda item, with the prefix ``row-<application id>``.

    A row the chair may not record (conflicted) is drawn without inputs, but its form
    still reads what is posted: a forged post for it must fail visibly, on that row,
    in the transition, not be dropped in silence.
    """

    transition = ""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    outcome = forms.ChoiceField(required=False)
    amount = AmountField(required=False)
    reason = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"row-{application.pk}")
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["outcome"].choices = [("", "–"), *OUTCOMES[self.transition]]  # type: ignore[attr-defined]
        case = application.case_number
        labels = {
            "action": _("Action for %(case)s") % {"case": case},
            "outcome": _("Outcome for %(case)s") % {"case": case},
            "amount": _("Amount (DKK) for %(case)s") % {"case": case},
            "reason": _("Reasons for %(case)s") % {"case": case},
        }
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
        style_fields(self.fields)
        for name, row_field in self.fields.items():
            row_field.widget.attrs["data-bulk"] = name  # what static/js/bulk.js reads

    def chosen_action(self) -> str:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.chosen_action() != SKIP and data.get("seen_version") is None:
            self.add_error(None, _("The page is out of date. Reload it and try again."))
        return data

    def row(self) -> dict[str, Any]:
        """The row as ``bulk.bulk_record`` takes it."""
        data = self.cleaned_data
        return {
            "application": self.application.pk,
            "action": self.chosen_action(),
            "seen_version": data.get("seen_version"),
            "outcome": data.get("outcome") or None,
            "amount": data.get("amount"),
            "reason": data.get("reason") or "",
        }

    def values(self) -> dict[str, Any]:
        """What the row holds now, parsed where it could be (for the totals)."""
        if self.is_bound:
            return {**getattr(self, "cleaned_data", {}), "action": self.chosen_action()}
        return {**self.initial, "action": self.initial.get("action", "")}


class CouncilRowForm(BulkRowForm):
    """A row for the council: choosing an outcome records the recommendation; blank skips."""

    transition = "recommend"

    def chosen_action(self) -> str:
        return "recommend" if getattr(self, "cleaned_data", {}).get("outcome") else SKIP

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("outcome") and (data.get("amount") is not None or data.get("reason")):
            self.add_error(
                "outcome", _("Choose an outcome, or clear the row to leave the item for later.")
            )
        return data


COMMITTEE_ACTIONS = [
    ("decide", gettext_lazy("Decide")),
    ("send_back", gettext_lazy("Send back to the council")),
    (SKIP, gettext_lazy("Leave for later")),
]


class CommitteeRowForm(BulkRowForm):
    """A row for the committee: decide, send back to the council, or leave for later."""

    transition = "decide"

    action = forms.ChoiceField(choices=COMMITTEE_ACTIONS, required=False)
    field_order = ["seen_version", "action", "outcome", "amount", "reason"]

    def chosen_action(self) -> str:
        return getattr(self, "cleaned_data", {}).get("action") or SKIP

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "decide" and not data.get("outcome"):
            self.add_error("outcome", _("Choose whether to grant or refuse."))
        return data


class OverrunForm(forms.Form):
    """The page-level confirmation of a decision beyond the pool, passed to every decision."""

    confirm_overrun = forms.BooleanField(
        label=gettext_lazy("I confirm that the decisions exceed the pool"), required=False
    )
    overrun_reason = forms.CharField(
        label=gettext_lazy("Reasons for exceeding the pool"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


def committee_initial(application: Application) -> dict[str, Any]:
    """'As recommended' in one click: the council's recommendation, ready to be decided."""
    refused = application.recommendation_outcome == RecommendationOutcome.REFUSE
    return {
        "seen_version": application.version,
        "action": "decide",
        "outcome": RecommendationOutcome.REFUSE if refused else RecommendationOutcome.GRANT,
        "amount": None if refused else application.recommended_amount,
        "reason": application.recommendation_reasons,
    }


ROW_FORMS: dict[str, type[BulkRowForm]] = {
    Body.COUNCIL: CouncilRowForm,
    Body.COMMITTEE: CommitteeRowForm,
}
