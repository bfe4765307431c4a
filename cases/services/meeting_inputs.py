"""The input of a new or changed meeting, validated the same way for the screens and the API.

The rule that only a body's own members can be registered as present is written here once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Body, Municipality, Role
from cases.parsing import validate_date_window
from cases.services import meeting_prep


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """Members listed with their roles on the body, so the case officer picks the right people."""

    def __init__(self, *args: Any, member_roles: dict[int, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_roles = member_roles

    def label_from_instance(self, obj: Any) -> str:
        roles = ", ".join(str(Role(r).label) for r in self.member_roles.get(obj.pk, []))
        return f"{meeting_prep.display(obj)} ({roles})" if roles else meeting_prep.display(obj)


class MeetingInput(forms.Form):
    """A new meeting (body, date, members present) or, without the body, an existing one."""

    body = forms.ChoiceField(
        label=gettext_lazy("Body"), choices=Body.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=gettext_lazy("Date of the meeting"),
        validators=[validate_date_window],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, municipality: Municipality, body: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        municipality_id = self.municipality_id = municipality.pk
        self.fixed_body = body
        if body is None:
            # The bodies by the names this municipality gives them.
            self.fields["body"].choices = [  # type: ignore[attr-defined]
                (b, meeting_prep.body_name(municipality, b)) for b in Body.values
            ]
        else:
            del self.fields["body"]
        # Members of both bodies are offered until the body is known; clean() checks the pick.
        member_roles = meeting_prep.body_member_roles(municipality_id, body)
        self.fields["members_present"] = MemberChoiceField(
            queryset=meeting_prep.body_members(municipality_id, body),
            member_roles=member_roles,
            required=False,
            label=gettext_lazy("Members present"),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        body = self.fixed_body or data.get("body")
        members = data.get("members_present")
        if body and members:
            on_body = meeting_prep.body_member_roles(self.municipality_id, body)
            strangers = [m for m in members if m.pk not in on_body]
            if strangers:
                self.add_error(
                    "members_present",
                    _("%(names)s is not a member of the body this meeting is for.")
                    % {"names": ", ".join(meeting_prep.display(m) for m in strangers)},
                )
        return data
