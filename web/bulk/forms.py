"""The row forms of the bulk recommendation and decision page.

Each agenda item gets its own form with the prefix ``row-<application id>``, so the
page is the same however the rows are ordered, and every error sits next to its
field. The rules themselves (reasons for less than requested, the pool, quorum)
stay in the transitions: the forms only parse what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import limits
from cases.models import Application, Body, RecommendationOutcome, RoundCriterion
from web.applications.forms import AmountField
from web.forms import style_fields
from workflows import engine
from workflows.bulk import SKIP
from workflows.hearing import HearingExceptionInput
from workflows.votes import COUNTS, MAX_VOTES, VoteInput


def _count() -> forms.IntegerField:
    message = gettext_lazy("Enter a number of votes of 0 or more.")
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_VOTES,
        error_messages={"min_value": message, "invalid": message},
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )


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
        required=False, max_length=limits.TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The row's own vote, when it differs from the page's (VoteDefaultForm).
    votes_for = _count()
    votes_against = _count()
    votes_abstaining = _count()
    minority = forms.CharField(
        required=False, max_length=limits.TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"row-{application.pk}")
        super().__init__(*args, **kwargs)
        self.application = application
        # The outcomes the transition's own form offers.
        offered = engine.input_form(self.transition).base_fields["outcome"].choices  # type: ignore[attr-defined]
        self.fields["outcome"].choices = [("", "–"), *offered]  # type: ignore[attr-defined]
        case = application.case_number
        labels = {
            "action": _("Action for %(case)s") % {"case": case},
            "outcome": _("Outcome for %(case)s") % {"case": case},
            "amount": _("Amount (DKK) for %(case)s") % {"case": case},
            "reason": _("Reasons for %(case)s") % {"case": case},
            "votes_for": _("Votes for, %(case)s") % {"case": case},
            "votes_against": _("Votes against, %(case)s") % {"case": case},
            "votes_abstaining": _("Abstaining, %(case)s") % {"case": case},
            "minority": _("Minority statement, %(case)s") % {"case": case},
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

    def row(self, vote: dict[str, Any] | None = None) -> dict[str, Any]:
        """The row as ``bulk.bulk_record`` takes it; ``vote``: the page's, for a row without
        counts of its own (a row's own counts are a counted vote)."""
        data = self.cleaned_data
        own = {name: data.get(name) for name in COUNTS}
        if any(value is not None for value in own.values()):
            vote = {"unanimous": False, **own}
        return {
            "application": self.application.pk,
            "action": self.chosen_action(),
            "seen_version": data.get("seen_version"),
            "outcome": data.get("outcome") or None,
            "amount": data.get("amount"),
            "reason": data.get("reason") or "",
            **(vote or {}),
            "minority": data.get("minority") or "",
        }

    def values(self) -> dict[str, Any]:
        """What the row holds now, parsed where it could be (for the totals)."""
        if self.is_bound:
            return {**getattr(self, "cleaned_data", {}), "action": self.chosen_action()}
        return {**self.initial, "action": self.initial.get("action", "")}


def _criteria_field(criteria: Sequence[RoundCriterion], case: str) -> forms.Field:
    """The round's criteria a recommendation may cite, as the single recommendation offers
    them (``recommend``'s own field, in its words). The choices are the criteria the page
    read once, so 300 rows cost no query; the transition checks the ids again."""
    own = engine.input_form("recommend").base_fields["criteria"]
    return forms.TypedMultipleChoiceField(
        choices=[(c.pk, c.title) for c in criteria],
        coerce=int,
        required=False,
        label=_("The criteria the recommendation rests on, %(case)s") % {"case": case},
        help_text=own.help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": own.error_messages["invalid_choice"]},
    )


class CouncilRowForm(BulkRowForm):
    """A row for the council: choosing an outcome records the recommendation; blank skips.
    ``criteria``: the round's, which the row may cite (no field when the round has none)."""

    transition = "recommend"

    def __init__(self, *args: Any, criteria: Sequence[RoundCriterion] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if criteria:
            self.fields["criteria"] = _criteria_field(criteria, self.application.case_number)
            style_fields(self.fields)

    def chosen_action(self) -> str:
        return "recommend" if getattr(self, "cleaned_data", {}).get("outcome") else SKIP

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = data.get("amount") is not None or data.get("reason") or data.get("criteria")
        if not data.get("outcome") and filled:
            self.add_error(
                "outcome", _("Choose an outcome, or clear the row to leave the item for later.")
            )
        return data

    def row(self, vote: dict[str, Any] | None = None) -> dict[str, Any]:
        return {**super().row(vote), "criteria": self.cleaned_data.get("criteria") or []}


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
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # One § 19 ground for the page (workflows/hearing.py): used by every row that refuses or
    # cuts and has no completed hearing; a row with one records the hearing instead.
    hearing_exception = HearingExceptionInput.base_fields["hearing_exception"]
    hearing_exception_reason = HearingExceptionInput.base_fields["hearing_exception_reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self.fields)

    def pool_fields(self) -> list[Any]:
        return [self["confirm_overrun"], self["overrun_reason"]]

    def hearing_fields(self) -> list[Any]:
        return [self["hearing_exception"], self["hearing_exception_reason"]]


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


class VoteDefaultForm(forms.Form):
    """The page's vote, for every row recorded without counts of its own: unanimous unless
    the chair says otherwise. The transition's own fields, so they read and check alike."""

    prefix = "vote"

    unanimous = VoteInput.base_fields["unanimous"]
    votes_for = VoteInput.base_fields["votes_for"]
    votes_against = VoteInput.base_fields["votes_against"]
    votes_abstaining = VoteInput.base_fields["votes_abstaining"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = any(data.get(name) is not None for name in COUNTS)
        if data.get("unanimous") is False and not given:
            self.add_error(
                "votes_for", _("Enter the votes for, against and abstaining, or choose unanimous.")
            )
        return data

    def vote(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("unanimous", *COUNTS)}
