"""The round's form and its three formsets: focus areas, conditions, criteria."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import limits
from cases.flow_paths import COUNCIL_FLOW
from cases.models import (
    AttachmentKind,
    FocusArea,
    GrantRound,
    Municipality,
    RoundCondition,
    RoundCriterion,
)
from cases.parsing import validate_date_window
from cases.services.rounds import BASIS_FIELDS, EDITABLE_FIELDS
from web.applications.forms import AmountField
from web.forms import DkfdsMixin, style_fields
from workflows import engine

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(DkfdsMixin, forms.ModelForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=gettext_lazy("Municipality")
    )
    pool_amount = AmountField(
        label=gettext_lazy("Pool (DKK)"), help_text=gettext_lazy("For example 250.000,00")
    )
    ceiling_per_application = AmountField(
        label=gettext_lazy("Ceiling per application (DKK)"), required=False
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        validators=[validate_date_window],
    )
    deadline = forms.DateTimeField(
        label=gettext_lazy("Deadline"),
        help_text=gettext_lazy("Date and time, Danish time. Later applications are refused."),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        validators=[validate_date_window],
    )
    flow = forms.ChoiceField(
        label=gettext_lazy("Flow"),
        choices=(),
        # Left out (a client of the form before issue 20), the round keeps its flow.
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the flows listed.")},
    )
    required_attachments = forms.MultipleChoiceField(
        choices=AttachmentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Required attachments"),
    )

    class Meta:
        model = GrantRound
        fields = [f for f in EDITABLE_FIELDS]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "council_meeting_date": DATE,
            "committee_meeting_date": DATE,
            "report_deadline": DATE,
        }

    def __init__(
        self,
        *args: Any,
        municipalities: Any,
        locked: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["municipality"]
        else:
            self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
            if len(municipalities) == 1:
                self.fields["municipality"].initial = municipalities[0].pk
        self.fields["purpose"].help_text = _(
            "What the round supports, in the words of the municipality's policy. At most "
            "%(n)s characters."
        ) % {"n": limits.TEXT}
        flows = engine.application_flows()
        flow = self.fields["flow"]
        flow.choices = [(name, flow_class.title) for name, flow_class in flows.items()]  # type: ignore[attr-defined]
        # Each flow says who decides: the choice is the path the applications will take.
        flow.help_text = (
            " ".join(
                f"{flow_class.title}: {flow_class.description}" for flow_class in flows.values()
            )
            + " "
            + _("The flow cannot change once applications have been submitted.")
        )
        if locked:
            for name in (*BASIS_FIELDS, "flow"):
                self.fields[name].disabled = True
        style_fields(self.fields)

    def clean_flow(self) -> str:
        return str(self.cleaned_data.get("flow") or self.instance.flow or COUNCIL_FLOW)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        flow_class = engine.application_flows().get(data.get("flow") or "")
        scheme = getattr(flow_class, "scheme", "")
        if scheme and data.get("scheme") and data["scheme"] != scheme:
            self.add_error(
                "flow",
                _(
                    "The flow of the round (%(flow)s) is for § %(scheme)s rounds: choose that "
                    "scheme, or another flow."
                )
                % {"flow": flow_class.title, "scheme": scheme.removeprefix("s")},  # type: ignore[union-attr]
            )
        return data

    def round_fields(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in EDITABLE_FIELDS and not self.fields[name].disabled
        }


class _Children(BaseInlineFormSet):
    """Rows of the round; every widget in the design system's dress. ``ordered``: the
    positions must differ, so that the order is the municipality's, not chance's."""

    ordered = False

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked
        if self.ordered:
            # New rows come after the existing ones unless placed otherwise.
            start = max((f.instance.position for f in self.initial_forms), default=0)
            for offset, form in enumerate(self.extra_forms, start=1):
                form.fields["position"].initial = start + offset
        for form in self.forms:
            style_fields(form.fields)
            if locked:
                for field in form.fields.values():
                    field.disabled = True

    def clean(self) -> None:
        super().clean()
        if not self.ordered:
            return
        seen: set[int] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            position = int(data.get("position") or 0)
            if position in seen:
                raise forms.ValidationError(
                    _("Two rows have the position %(n)s: give each its own, in the order wanted.")
                    % {"n": position}
                )
            seen.add(position)

    def rows(self) -> list[dict[str, Any]]:
        """The rows for ``cases.services.rounds.round_save``: changed, added or deleted."""
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or (not form.has_changed() and form.instance.pk is None):
                continue
            row = {k: v for k, v in data.items() if k not in ("id", "round", "DELETE")}
            row["id"] = data["id"].pk if data.get("id") else None
            row["delete"] = bool(data.get("DELETE"))
            out.append(row)
        return out


class _Ordered(_Children):
    ordered = True


def _formset(model: Any, fields: list[str], base: Any) -> Any:
    return inlineformset_factory(
        GrantRound,
        model,
        formset=base,
        fields=fields,
        extra=2,
        can_delete=True,
        max_num=50,
        validate_max=True,
        widgets={"help_text": forms.Textarea(attrs={"rows": 2})},
    )


FocusAreaFormSet = _formset(FocusArea, ["name"], _Children)
ConditionFormSet = _formset(RoundCondition, ["position", "text", "help_text"], _Ordered)
CriterionFormSet = _formset(RoundCriterion, ["position", "title", "help_text"], _Ordered)
FORMSETS = {
    "focus_areas": FocusAreaFormSet,
    "conditions": ConditionFormSet,
    "criteria": CriterionFormSet,
}
