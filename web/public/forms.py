"""The register's filter: what the visitor chose, checked before it is used or cached."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.selectors.public import FilterChoices, RegisterFilter

# The query's names are Danish: they are in the address the visitor sees and shares.
YEAR, ROUND, FOCUS, PAGE = "aar", "pulje", "fokusomraade", "side"


class RegisterFilterForm(forms.Form):
    aar = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1900,
        max_value=2999,
        error_messages={"invalid": _("Choose a year from the list, e.g. 2027.")},
    )
    pulje = forms.IntegerField(
        label=_("Grant round"),
        required=False,
        min_value=1,
        error_messages={"invalid": _("Choose a grant round from the list.")},
    )
    fokusomraade = forms.CharField(
        label=_("Focus area"), required=False, max_length=limits.SHORT_TEXT
    )

    def chosen(self) -> RegisterFilter:
        """The filter (empty when the input is not valid: the page says why)."""
        if not self.is_valid():
            return RegisterFilter()
        data = self.cleaned_data
        return RegisterFilter(
            year=data.get("aar"),
            round_id=data.get("pulje"),
            focus_area=data.get("fokusomraade") or "",
        )

    def options(self, choices: FilterChoices) -> list[dict[str, Any]]:
        """Each filter as a select: its field, its options and which one is chosen."""
        everything = str(_("All"))
        raw = {name: (self.data.get(name) or "") for name in (YEAR, ROUND, FOCUS)}
        lists = {
            YEAR: [(str(y), str(y)) for y in choices.years],
            ROUND: [(str(pk), name) for pk, name in choices.rounds],
            FOCUS: [(name, name) for name in choices.focus_areas],
        }
        return [
            {
                "field": self[name],
                "options": [("", everything), *lists[name]],
                "chosen": raw[name],
            }
            for name in (YEAR, ROUND, FOCUS)
        ]
