"""The register's forms: the screens' input for registering (cases/services/access_requests.py)
and for the request's transitions (workflows/access_request.py, which checks it again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.documents.redaction import GROUND_CHOICES
from cases.models import AccessDecision, AccessScope, Application, GrantRound, RequesterKind
from web.forms import DkfdsMixin

NO_REDACTION: list[tuple[str, Any]] = [("", _("Hand out as it is"))]


class RegisterForm(DkfdsMixin, forms.Form):
    requester_name = forms.CharField(
        label=_("Who asked"),
        max_length=limits.SHORT_TEXT,
        help_text=_("The requester's name (a person, a journalist, an association)."),
    )
    requester_kind = forms.ChoiceField(label=_("The requester is"), choices=RequesterKind.choices)
    requester_email = forms.EmailField(label=_("E-mail"), required=False)
    requester_address = forms.CharField(
        label=_("Postal address"), required=False, max_length=limits.SHORT_TEXT
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The deadline is 7 working days after this date."),
    )
    scope = forms.ChoiceField(
        label=_("The request covers"), choices=AccessScope.choices, widget=forms.RadioSelect
    )
    applications = forms.ModelMultipleChoiceField(
        label=_("Cases"),
        queryset=Application.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For one or more cases: choose them."),
    )
    round = forms.ModelChoiceField(
        label=_("Grant round"),
        queryset=GrantRound.objects.none(),
        required=False,
        help_text=_("For a whole round: every case received in it so far."),
    )
    text = forms.CharField(
        label=_("The request"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was asked for, as the requester wrote it."),
    )

    def __init__(self, *args: Any, applications: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications  # type: ignore[attr-defined]
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]
        self.fields["applications"].label_from_instance = (  # type: ignore[attr-defined]
            lambda a: f"{a.case_number} · {a.association.name} · {a.title}"
        )


class ExtendForm(DkfdsMixin, forms.Form):
    until = forms.DateField(
        label=_("Decision expected by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why it cannot be decided in time"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requester must be told why, and when to expect the decision."),
    )

    def transition_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DecideForm(DkfdsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=AccessDecision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for partial access and refusal: what is left out, and why."),
    )
    complaint_guidance = forms.CharField(
        label=_("Complaint guidance"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Required for partial access and refusal."),
    )

    def transition_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class HandOutForm(DkfdsMixin, forms.Form):
    declarations = forms.ChoiceField(
        label=_("Council and committee members' conflict declarations"),
        choices=[*NO_REDACTION, *GROUND_CHOICES],
        required=False,
    )
    contact_details = forms.ChoiceField(
        label=_("Other persons' contact details (e-mails, phone)"),
        choices=[*NO_REDACTION, *GROUND_CHOICES],
        required=False,
    )
    exempt = forms.MultipleChoiceField(
        label=_("Documents and notes left out"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exempt_ground = forms.ChoiceField(
        label=_("Ground for the documents and notes left out"),
        choices=GROUND_CHOICES,
        required=False,
    )

    def __init__(self, *args: Any, items: list[tuple[str, int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exempt"].choices = [  # type: ignore[attr-defined]
            (f"{kind}:{pk}", label) for kind, pk, label in items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("exempt") and not data.get("exempt_ground"):
            self.add_error("exempt_ground", _("Choose the ground for what is left out."))
        return data

    def transition_data(self) -> dict[str, Any]:
        return {
            "declarations": self.cleaned_data["declarations"],
            "contact_details": self.cleaned_data["contact_details"],
            "items": self.exempt_items(),
        }

    def exempt_items(self) -> list[dict[str, Any]]:
        ground = self.cleaned_data.get("exempt_ground") or ""
        items = []
        for value in self.cleaned_data.get("exempt", []):
            kind, pk = value.split(":", 1)
            items.append({"kind": kind, "id": int(pk), "ground": ground})
        return items
