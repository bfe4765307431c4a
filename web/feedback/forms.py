"""The questionnaire and the yearly summary's form (cases/services/feedback.py checks again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases import limits
from cases.models import Ease, TimeSpent, UnclearPart
from web.forms import DkfdsMixin


class FeedbackForm(DkfdsMixin, forms.Form):
    ease = forms.TypedChoiceField(
        label=gettext_lazy("How easy was it to apply?"),
        help_text=gettext_lazy("From 1 (very hard) to 5 (very easy)."),
        choices=[(value, f"{value} – {label}") for value, label in Ease.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    time_spent = forms.ChoiceField(
        label=gettext_lazy("How long did it take, all in all?"),
        choices=TimeSpent.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    unclear = forms.MultipleChoiceField(
        label=gettext_lazy("Was anything unclear?"),
        help_text=gettext_lazy("Choose all that apply."),
        choices=UnclearPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else you want to tell us?"),
        help_text=gettext_lazy(
            "What was hard, and what would make it easier? Do not write names or other "
            "personal information."
        ),
        max_length=limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": gettext_lazy("Write at most %(limit_value)s characters."),
        },
    )


class SummaryForm(DkfdsMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your words to the associations"),
        help_text=gettext_lazy(
            "What you learnt from the answers and what the municipality will do. The figures "
            "are added by themselves; the comments are not sent."
        ),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": gettext_lazy("Write a few words to the associations."),
            "max_length": gettext_lazy("Write at most %(limit_value)s characters."),
        },
    )
