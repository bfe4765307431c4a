"""Forms for the applicant's and the case officer's screens (DKFDS markup classes)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import limits, upload_quota
from cases.completeness import conditional_fields, required_fields
from cases.formatting import AmountError, parse_amount
from cases.models import (
    Application,
    Association,
    AttachmentKind,
    FocusArea,
    GrantRound,
    TargetGroup,
)
from cases.parsing import validate_date_window
from cases.services.applications import DRAFT_FIELDS
from cases.uploads import check_upload
from web.forms import DkfdsMixin, style_fields
from workflows import engine
from workflows.inputs import Amount, TransitionInput

MONEY_FIELD: dict[str, Any] = {
    "max_digits": 12,
    "decimal_places": 2,
    "localize": True,
    "validators": [MinValueValidator(Decimal("0"))],
}


class AmountField(forms.DecimalField):
    """Every money input on a screen: the user's notation ("12.500,50" in Danish), read by
    ``cases.formatting.parse_amount``; what it cannot read is refused with the expected form
    ("Skriv beløbet som 12.500,50."), never guessed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**MONEY_FIELD, "widget": forms.TextInput, **kwargs})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except AmountError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text input: type=number would refuse "12.500,50" in the browser.
        return {**super().widget_attrs(widget), "inputmode": "decimal"}


class ApplicationForm(DkfdsMixin, forms.ModelForm):
    """The application itself. Saving a draft does not demand completeness; submitting does."""

    amount_requested = AmountField(label=gettext_lazy("Amount requested (DKK)"), required=False)
    other_funding = AmountField(
        label=gettext_lazy("Other funding sought or received (DKK)"), required=False
    )
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Focus areas"),
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Target groups"),
        help_text=gettext_lazy(
            "Tick every group the activity is for. The municipality uses the groups to "
            "compare rounds and years."
        ),
    )

    class Meta:
        model = Application
        fields = [*DRAFT_FIELDS, "focus_areas", "target_groups"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "activity_description": forms.Textarea(attrs={"rows": 6}),
            "other_funding_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: Any,
        grant_round: GrantRound,
        only: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(round=grant_round)  # type: ignore[attr-defined]
        for name in ("volunteers", "members", "participants"):
            self.fields[name].widget.attrs["min"] = 0
        # The fixed categories right after the free-text description of the target group.
        order = [name for name in self.fields if name != "target_groups"]
        order.insert(order.index("target_group") + 1, "target_groups")
        self.order_fields(order)
        if only is not None:  # one step of the guided application
            for name in [n for n in self.fields if n not in only]:
                del self.fields[name]
            self.order_fields(only)
        mark_submit_rule(self.fields, grant_round)

    def clean_other_funding(self) -> Decimal:
        return self.cleaned_data.get("other_funding") or Decimal("0")

    def draft_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in DRAFT_FIELDS if k in self.cleaned_data}
        if "target_groups" in self.cleaned_data:
            data["target_groups"] = list(self.cleaned_data["target_groups"])
        return data


#: What each free-text field of the application is for (shown under its label).
TEXT_HELP = {
    "title": gettext_lazy("A short name for the activity, e.g. »Lektiecafé for 4.-6. klasse«."),
    "purpose": gettext_lazy("What do you want to achieve, and why is it needed?"),
    "target_group": gettext_lazy("Who is the activity for, and how do you reach them?"),
    "activity_description": gettext_lazy(
        "What will you do, when and where, and what do the volunteers do?"
    ),
    "other_funding_note": gettext_lazy("From whom, how much, and whether it is granted yet."),
}

#: The answer a conditional requirement depends on, said under the field's label.
CONDITION_HELP = {
    "works_with_children": gettext_lazy("Required if you work with children and young people."),
}


def mark_submit_rule(fields: dict[str, forms.Field], grant_round: GrantRound) -> None:
    """Mark each field as the submit rule (``cases.completeness``) treats it: required,
    required only with a certain answer, or optional; and say every free text's limit."""
    required = required_fields(grant_round)
    conditional = conditional_fields()
    for name, field in fields.items():
        field.required_to_submit = name in required  # type: ignore[attr-defined]
        field.conditional = name in conditional  # type: ignore[attr-defined]
        if name in conditional and not field.help_text:
            field.help_text = CONDITION_HELP.get(conditional[name], "")
        if name in TEXT_HELP:
            field.help_text = TEXT_HELP[name]
        limit = getattr(field, "max_length", None)
        if limit and isinstance(field.widget, forms.Textarea | forms.TextInput):
            field.widget.attrs["maxlength"] = limit
            field.max_length_shown = limit  # type: ignore[attr-defined]


class BudgetLineForm(DkfdsMixin, forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Budget line"), max_length=limits.SHORT_TEXT, required=False
    )
    amount = AmountField(label=gettext_lazy("Amount (DKK)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        description, amount = data.get("description"), data.get("amount")
        if description and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount for this line."))
        if amount is not None and not description:
            self.add_error("description", _("Describe what the amount is for."))
        return data


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=2, max_num=50, validate_max=True)


def budget_lines_from(formset: Any) -> list[tuple[str, Decimal]]:
    return [
        (f.cleaned_data["description"], f.cleaned_data["amount"])
        for f in formset.forms
        if f.cleaned_data.get("description")
    ]


class NewApplicationForm(DkfdsMixin, forms.Form):
    round = forms.ModelChoiceField(
        queryset=GrantRound.objects.none(), label=gettext_lazy("Grant round")
    )
    association = forms.ModelChoiceField(
        queryset=Association.objects.none(), label=gettext_lazy("Association")
    )
    title = forms.CharField(
        label=gettext_lazy("Title of the application"), max_length=limits.SHORT_TEXT
    )

    def __init__(self, *args: Any, rounds: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]
        self.fields["association"].queryset = associations  # type: ignore[attr-defined]
        # With one choice there is nothing to choose.
        for name, qs in (("round", rounds), ("association", associations)):
            only = list(qs[:2])
            if len(only) == 1:
                self.fields[name].initial = only[0].pk


class PaperApplicationForm(DkfdsMixin, forms.Form):
    association = forms.ModelChoiceField(
        queryset=Association.objects.order_by("name"), label=gettext_lazy("Association")
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("Received"),
        help_text=gettext_lazy(
            "When the municipality received the paper application (date and time)."
        ),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        validators=[validate_date_window],
    )
    title = forms.CharField(
        label=gettext_lazy("Title of the application"), max_length=limits.SHORT_TEXT
    )

    def clean_received_at(self) -> Any:
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The date of receipt cannot be in the future."))
        return value


# --- attachments ---------------------------------------------------------------------------


class AttachmentForm(DkfdsMixin, forms.Form):
    kind = forms.ChoiceField(choices=AttachmentKind.choices, label=gettext_lazy("Kind of document"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, Word, Excel, OpenDocument, JPEG or PNG."),
    )

    def __init__(self, *args: Any, application: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        if self.application is not None:
            upload_quota.check_room(self.application, [upload.size])
        return upload


# --- transitions ---------------------------------------------------------------------------


class ScreenInput(forms.Form):
    """A transition's own form (declared beside its method in workflows/) as a screen draws it.

    The design system's classes on the widgets, and every amount read in the user's
    notation ("12.500,50" in Danish) by ``AmountField``: the flow's own amount field is
    the API's, strict. The flow validates the values again when the transition runs.
    """

    def __init__(
        self, *args: Any, meetings: Any = None, application: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            if isinstance(field, Amount):
                self.fields[name] = AmountField(label=field.label, required=field.required)
        if meetings is not None and "meeting" in self.fields:
            self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        if application is not None:
            self.for_case(application)  # type: ignore[attr-defined]
            # A choice of the case's things (its round's criteria) with nothing to choose.
            for name, field in list(self.fields.items()):
                if isinstance(field, forms.ModelMultipleChoiceField) and not field.queryset:
                    del self.fields[name]
        style_fields(self.fields)


@cache
def _screen_class(form_class: type[TransitionInput]) -> type[TransitionInput]:
    return type(f"Screen{form_class.__name__}", (ScreenInput, form_class), {})


def transition_form(
    name: str,
    data: Any = None,
    files: Any = None,
    *,
    meetings: Any = None,
    application: Any = None,
) -> TransitionInput:
    """The form of transition ``name``, for a screen; ``meetings``: those it may be taken at;
    ``files``: the request's files, for a transition that takes documents; ``application``:
    the case, whose own choices (its round's criteria) the form offers."""
    flow_class = engine.flow_for(application) if application is not None else None
    form_class = engine.input_form(name, flow_class) if flow_class else engine.input_form(name)
    return _screen_class(form_class)(data, files, meetings=meetings, application=application)


# --- usage report (afrapportering) ---------------------------------------------------------


class ReportLineForm(DkfdsMixin, forms.Form):
    """One line of the report: a budget line of the application (fixed text), or "other"."""

    budget_line = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    description = forms.CharField(
        label=gettext_lazy("Spent on"), max_length=limits.SHORT_TEXT, required=False
    )
    spent = AmountField(label=gettext_lazy("Spent (DKK)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and data.get("spent") is None and "spent" not in self.errors:
            self.add_error("spent", _("Enter the amount spent on this line."))
        return data


ReportLineFormSet = forms.formset_factory(ReportLineForm, extra=1, max_num=60, validate_max=True)


class UsageReportForm(DkfdsMixin, forms.Form):
    """The association's usage report; the rules are the transition's (``submit_report``)."""

    description = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    participants_reached = forms.IntegerField(
        label=gettext_lazy("Participants reached"), min_value=0, max_value=limits.MAX_INT
    )
    volunteers_involved = forms.IntegerField(
        label=gettext_lazy("Volunteers involved"), min_value=0, max_value=limits.MAX_INT
    )
    overspend_explanation = forms.CharField(
        label=gettext_lazy("If more was spent than paid out: how was the difference paid for?"),
        max_length=limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    declaration_on_honour = forms.BooleanField(
        label=gettext_lazy("I declare on honour that the grant was used as described"),
        required=False,
    )
    accounts = forms.FileField(label=gettext_lazy("Accounts"), required=False)
    auditor_endorsement = forms.FileField(
        label=gettext_lazy("Auditor's endorsement"), required=False
    )
    other = forms.FileField(label=gettext_lazy("Other document"), required=False)

    def __init__(self, *args: Any, requirement: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = gettext_lazy("PDF, Word, Excel, OpenDocument, JPEG or PNG.")
        for name in ("accounts", "auditor_endorsement", "other"):
            self.fields[name].help_text = hint
        # What the tier asks for is marked required on screen; the transition enforces it.
        needs = {
            "declaration": ["declaration_on_honour"],
            "accounts": ["accounts"],
            "audited_accounts": ["accounts", "auditor_endorsement"],
        }.get(requirement, [])
        for name in needs:
            self.fields[name].widget.attrs["aria-required"] = "true"
            self.fields[name].required_by_tier = True  # type: ignore[attr-defined]

    def transition_data(self, formset: Any) -> dict[str, Any]:
        data = self.cleaned_data
        lines = [
            {
                "budget_line": f.cleaned_data.get("budget_line"),
                "description": f.cleaned_data.get("description") or "",
                "spent": f.cleaned_data["spent"],
            }
            for f in formset.forms
            if f.cleaned_data.get("spent") is not None
        ]
        attachments = [
            (name, data[name])
            for name in ("accounts", "auditor_endorsement", "other")
            if data.get(name)
        ]
        return {
            "description": data["description"],
            "participants_reached": data["participants_reached"],
            "volunteers_involved": data["volunteers_involved"],
            "overspend_explanation": data.get("overspend_explanation") or "",
            "declaration_on_honour": bool(data.get("declaration_on_honour")),
            "lines": lines,
            "attachments": attachments,
        }
