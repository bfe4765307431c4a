"""The allocation assistant's form: the method, the limits, and the chair's own amounts.

One form for the whole page, so »Beregn« re-posts everything and nothing typed is lost.
A fixed amount has the prefix ``fix-<application id>``; a focus area's share
``share-<area id>`` (per cent of the pool left).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.allocation import Limits, Method
from cases.formatting import money
from cases.models import FocusArea
from cases.selectors.allocation import Candidate
from web.applications.forms import AmountField
from web.forms import style_fields

METHODS = [
    (Method.PRO_RATA.value, gettext_lazy("Pro rata: every grant cut by the same share")),
    (
        Method.PRIORITY.value,
        gettext_lazy("By priority: full grants down the ranking until the pool runs out"),
    ),
]


class AllocationForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Method"),
        choices=METHODS,
        initial=Method.PRO_RATA.value,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a method.")},
    )
    minimum = AmountField(
        label=gettext_lazy("Minimum grant (DKK)"),
        required=False,
        help_text=gettext_lazy("An application that would get less is refused rather than cut."),
    )
    ceiling = AmountField(
        label=gettext_lazy("Ceiling per application (DKK)"),
        required=False,
        help_text=gettext_lazy("No application gets more than this."),
    )

    def __init__(
        self,
        *args: Any,
        candidates: Sequence[Candidate],
        areas: Sequence[FocusArea],
        pool_left: Decimal,
        conflicted: set[int] | frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # No fixed amount on an item the chair is disqualified on: the assistant fits it.
        self.candidates = [c for c in candidates if c.application.pk not in conflicted]
        self.areas = list(areas)
        self.pool_left = pool_left
        for area in self.areas:
            self.fields[f"share-{area.pk}"] = forms.DecimalField(
                label=_("Share for %(area)s (per cent)") % {"area": area.name},
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                error_messages={
                    "min_value": gettext_lazy("Enter a share from 0 to 100 per cent."),
                    "max_value": gettext_lazy("Enter a share from 0 to 100 per cent."),
                    "invalid": gettext_lazy("Enter a share from 0 to 100 per cent."),
                    "max_decimal_places": gettext_lazy("Enter a share from 0 to 100 per cent."),
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        for candidate in self.candidates:
            application = candidate.application
            self.fields[f"fix-{application.pk}"] = AmountField(
                label=_("Fixed amount for %(case)s") % {"case": application.case_number},
                required=False,
            )
        for name in ("minimum", "ceiling"):
            self.fields[name].error_messages["min_value"] = _("Enter an amount of 0 or more.")
        style_fields(self.fields)
        for name, field in self.fields.items():
            if name.startswith("fix-"):
                field.widget.attrs["class"] += " pf-allocation-fix"

    def share_fields(self) -> list[Any]:
        return [self[f"share-{area.pk}"] for area in self.areas]

    def fix_field(self, candidate: Candidate) -> Any:
        """The row's input, or None on an item the chair is disqualified on."""
        name = f"fix-{candidate.application.pk}"
        return self[name] if name in self.fields else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("minimum", "ceiling"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Enter an amount of 0 or more."))
        shares = [data.get(f"share-{area.pk}") or Decimal(0) for area in self.areas]
        if sum(shares, Decimal(0)) > 100 and self.areas:
            self.add_error(
                f"share-{self.areas[0].pk}",
                _("The focus areas' shares add up to more than 100 per cent."),
            )
        fixed_total = Decimal(0)
        for candidate in self.candidates:
            name = f"fix-{candidate.application.pk}"
            value = data.get(name)
            if value is None:
                continue
            if value < 0 or value > candidate.requested:
                self.add_error(
                    name,
                    _("Enter an amount from 0 to the %(requested)s requested.")
                    % {"requested": money(candidate.requested)},
                )
                continue
            fixed_total += value
        if fixed_total > self.pool_left:
            self.add_error(
                None,
                _(
                    "The fixed amounts add up to %(fixed)s, more than the %(left)s left in the "
                    "pool. Lower one of them."
                )
                % {"fixed": money(fixed_total), "left": money(self.pool_left)},
            )
        return data

    # --- what the assistant takes --------------------------------------------------------

    def chosen_method(self) -> Method:
        return Method(self.cleaned_data.get("method") or Method.PRO_RATA)

    def chosen_limits(self) -> Limits:
        data = self.cleaned_data
        shares = {
            area.pk: (data.get(f"share-{area.pk}") or Decimal(0)) / 100
            for area in self.areas
            if data.get(f"share-{area.pk}")
        }
        return Limits(
            minimum=data.get("minimum") or Decimal(0), ceiling=data.get("ceiling"), shares=shares
        )

    def chosen_fixed(self) -> dict[int, Decimal]:
        data = self.cleaned_data
        return {
            c.application.pk: data[f"fix-{c.application.pk}"]
            for c in self.candidates
            if data.get(f"fix-{c.application.pk}") is not None
        }
