"""The association's forms: the CVR number first, then its details (issue 18)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Association
from cases.parsing import parse_int
from cases.services.associations import editable_fields
from cases.validators import validate_cvr
from web.forms import DkfdsMixin

CVR_WIDGET = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "8"}


def _clean_cvr(form: Any) -> str:
    """Spaces allowed as typed (»2999 0018«); an association already registered is refused,
    and the form remembers it so the page can link to it."""
    value = "".join(str(form.cleaned_data.get("cvr") or "").split())
    validate_cvr(value)
    form.existing = Association.objects.filter(cvr=value).first()
    if form.existing is not None:
        raise forms.ValidationError(
            _("%(name)s is already registered with this CVR number.") % {"name": form.existing.name}
        )
    return value


class CvrForm(DkfdsMixin, forms.Form):
    """Step 1: the CVR number, looked up in the register."""

    cvr = forms.CharField(
        label=gettext_lazy("CVR number"),
        max_length=12,  # room for spaces as typed; cleaned to 8 digits
        help_text=gettext_lazy("8 digits. The name and address are fetched from the CVR register."),
        widget=forms.TextInput(attrs=CVR_WIDGET),
    )
    existing: Association | None = None

    def clean_cvr(self) -> str:
        return _clean_cvr(self)


class _PostalCodeMixin:
    cleaned_data: dict[str, Any]

    def clean_postal_code(self) -> str:
        value = (self.cleaned_data.get("postal_code") or "").strip()
        if not (len(value) == 4 and parse_int(value) is not None):  # ASCII digits only
            raise forms.ValidationError(_("A Danish postal code has 4 digits."))
        return value


class RegisterAssociationForm(_PostalCodeMixin, DkfdsMixin, forms.ModelForm):
    """Step 2: the details, filled from the register or typed in; the CVR number as looked up."""

    existing: Association | None = None

    class Meta:
        model = Association
        fields = [
            "cvr",
            "name",
            "address",
            "postal_code",
            "city",
            "contact_person",
            "email",
            "phone",
            "language",
        ]
        widgets = {"cvr": forms.TextInput(attrs={**CVR_WIDGET, "readonly": True})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["language"].required = False

    def clean_cvr(self) -> str:
        return _clean_cvr(self)

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or "da"

    def validate_unique(self) -> None:
        # clean_cvr has said it in words, with a link; the model's own message would repeat it.
        pass


class AssociationDetailsForm(_PostalCodeMixin, DkfdsMixin, forms.ModelForm):
    """What the representatives keep up to date: the contact details, and the name and address
    only while they are typed in (from the register they are fetched again instead)."""

    class Meta:
        model = Association
        fields = [
            "name",
            "address",
            "postal_code",
            "city",
            "contact_person",
            "email",
            "phone",
            "language",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = editable_fields(self.instance)
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if "postal_code" in self.fields:
            self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["language"].required = False

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.instance.language or "da"
