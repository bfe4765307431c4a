"""The forms after a NemLog-in sign-in: the association typed in, its contact details, the
association to act for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Association
from web.forms import DkfdsMixin

CONTACT_FIELDS = ["contact_person", "email", "phone"]


class TypedAssociationForm(DkfdsMixin, forms.ModelForm):
    """The association's details when the CVR register cannot give them. The CVR number is
    the one NemLog-in vouched for; it is shown, not typed."""

    class Meta:
        model = Association
        fields = ["name", "address", "postal_code", "city", *CONTACT_FIELDS]
        help_texts = {
            "name": _("The name as in the association's bylaws."),
            "address": _("Street and number where letters reach the association."),
            "contact_person": _("The person the municipality writes to about applications."),
            "phone": _("8 digits, optionally with a country code."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ContactForm(DkfdsMixin, forms.ModelForm):
    class Meta:
        model = Association
        fields = CONTACT_FIELDS
        help_texts = TypedAssociationForm.Meta.help_texts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ChooseForm(DkfdsMixin, forms.Form):
    association = forms.ModelChoiceField(
        label=_("The association you act for now"),
        queryset=Association.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["association"]
        field.queryset = associations  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.name} (CVR {a.cvr})"  # type: ignore[attr-defined]
