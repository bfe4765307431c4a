"""The user's notification preferences, and the outbox page's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind, Status, UserPreference

# The kinds the flow sends as legal notices (``legal=True`` in workflows/application.py):
# information requests, rejections, decisions and returned usage reports. They are
# always sent, so they are not offered as a choice (tests/notifications/
# test_inbox_screens.py checks this list against what the flow really writes).
LEGAL_KINDS = frozenset(
    {Kind.INFO_REQUESTED, Kind.APPLICATION_REJECTED, Kind.DECISION, Kind.REPORT_RETURNED}
    # and the notice before an unsubmitted draft is deleted (notifications/reminders/rules/drafts.py)
    | {Kind.DRAFT_EXPIRING}
    | {Kind.HEARING_STARTED}  # a hearing (fvl. § 19): workflows/hearing.py
)


def switchable_kinds() -> list[tuple[str, Any]]:
    return [(kind.value, kind.label) for kind in Kind if kind not in LEGAL_KINDS]


def legal_kinds() -> list[tuple[str, Any]]:
    return [(kind.value, kind.label) for kind in Kind if kind in LEGAL_KINDS]


class KindsField(forms.MultipleChoiceField):
    def validate(self, value: Any) -> None:
        legal = [v for v in value or () if v in LEGAL_KINDS]
        if legal:
            raise ValidationError(
                _("%(kinds)s cannot be switched off: the law requires that you receive it."),
                code="legal",
                params={"kinds": ", ".join(str(Kind(v).label) for v in legal)},
            )
        super().validate(value)


class PreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language of notifications"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    muted_kinds = KindsField(
        label=_("Switch off these notifications"),
        help_text=_("Tick the notifications you do not want. You can switch them on again here."),
        choices=switchable_kinds,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UserPreference
        fields = ["language", "muted_kinds"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A legal kind muted in the admin is ignored by notify(); do not show it as chosen.
        self.initial["muted_kinds"] = [
            k for k in self.instance.muted_kinds or [] if k not in LEGAL_KINDS
        ]


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *Status.choices],
        required=False,
    )
