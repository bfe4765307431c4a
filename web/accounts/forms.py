from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy

from cases import limits
from cases.parsing import parse_int
from web.forms import DkfdsMixin


class LoginForm(DkfdsMixin, AuthenticationForm):
    """Django's login form; it hands the request to ``authenticate()``, which axes needs."""

    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        max_length=limits.PASSWORD,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(DkfdsMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        help_text=gettext_lazy("Six digits. A new code appears every 30 seconds."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> Any:
        code = "".join(self.cleaned_data["code"].split())
        if not 6 <= len(code) <= 8 or parse_int(code) is None:  # ASCII digits only
            raise forms.ValidationError(gettext_lazy("Type the six digits the app shows."))
        return code


class EnrolmentForm(CodeForm):
    """Setting up the first app: the code from the e-mail as well (accounts.enrolment)."""

    enrolment_code = forms.CharField(
        label=gettext_lazy("Code from the e-mail"),
        help_text=gettext_lazy("Eight letters and digits, for example ABCD-EFGH."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    field_order = ["enrolment_code", "code"]
