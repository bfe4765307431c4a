"""The directory's forms: the public search (GET) and the association's own entry."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models import DirectoryEntry, TargetGroupCode
from cases.selectors.directory import DirectoryChoices, DirectoryFilter, PublicEntry
from web.forms import DkfdsMixin

# The query's names are Danish: they are in the address the visitor sees and shares.
TEXT, FOCUS, GROUP, VOLUNTEERS, PAGE = "soeg", "fokusomraade", "maalgruppe", "frivillige", "side"
KEY_PARAMS = (TEXT, FOCUS, GROUP, VOLUNTEERS, PAGE, "csv")
SEARCH_LIMIT = 100


class DirectoryFilterForm(forms.Form):
    soeg = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_LIMIT,
        help_text=_("A word from the association's name, what it does, or where."),
    )
    fokusomraade = forms.CharField(
        label=_("Focus area"), required=False, max_length=limits.SHORT_TEXT
    )
    maalgruppe = forms.ChoiceField(
        label=_("Target group"),
        required=False,
        choices=[("", ""), *TargetGroupCode.choices],
        error_messages={"invalid_choice": _("Choose a target group from the list.")},
    )
    frivillige = forms.BooleanField(label=_("Only associations seeking volunteers"), required=False)

    def chosen(self) -> DirectoryFilter:
        """The filter (empty when the input is not valid: the page says why)."""
        if not self.is_valid():
            return DirectoryFilter()
        data = self.cleaned_data
        return DirectoryFilter(
            text=(data.get("soeg") or "").strip(),
            focus_area=data.get("fokusomraade") or "",
            target_group=data.get("maalgruppe") or "",
            seeks_volunteers=bool(data.get("frivillige")),
        )

    def options(self, choices: DirectoryChoices) -> list[dict[str, Any]]:
        """The two selects: their field, their options and which one is chosen."""
        everything = str(_("All"))
        lists = {
            FOCUS: [(name, name) for name in choices.focus_areas],
            GROUP: choices.target_groups,
        }
        return [
            {
                "field": self[name],
                "options": [("", everything), *lists[name]],
                "chosen": self.data.get(name) or "",
            }
            for name in (FOCUS, GROUP)
            if lists[name]
        ]


PUBLIC_NOTE = _("Shown to everyone on the public page. Leave it blank to show none.")


class EntryForm(DkfdsMixin, forms.ModelForm):
    """What the association publishes about itself. The lists are plain choices (codes and
    names); the service sets them (cases/services/directory.py)."""

    target_groups = forms.MultipleChoiceField(
        label=_("For whom"),
        required=False,
        choices=TargetGroupCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=200,
    )

    class Meta:
        model = DirectoryEntry
        fields = [
            "description",
            "target_groups",
            "focus_areas",
            "whole_municipality",
            "area",
            "seeks_volunteers",
            "volunteers_text",
            "website",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "volunteers_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, focus_area_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = cast(forms.MultipleChoiceField, self.fields["focus_areas"])
        areas.choices = [(n, n) for n in focus_area_names]
        self.fields["whole_municipality"].label = _("We work in the whole municipality")
        self.fields["area"].help_text = _(
            "If not in the whole municipality: the postal district or area, "
            "e.g. »4000 Roskilde« or »Musicon«."
        )
        self.fields["seeks_volunteers"].label = _("We seek volunteers")
        self.fields["volunteers_text"].help_text = _(
            "Only shown if you seek volunteers: what a volunteer would do with you."
        )
        self.fields["website"].help_text = _("E.g. https://www.forening.dk")
        self.fields["contact_email"].help_text = PUBLIC_NOTE
        self.fields["contact_phone"].help_text = PUBLIC_NOTE
        if self.instance.pk:
            self.initial.setdefault(
                "target_groups", [g.code for g in self.instance.target_groups.all()]
            )
            self.initial.setdefault(
                "focus_areas", [f.name for f in self.instance.focus_areas.all()]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("whole_municipality") and not (data.get("area") or "").strip():
            self.add_error(
                "area", _("Write where you work, or tick »We work in the whole municipality«.")
            )
        return data

    def preview(self, name: str, association_id: int) -> PublicEntry:
        """The entry as the public would see it, from what was typed (nothing saved)."""
        data = self.cleaned_data
        return PublicEntry(
            association_id=association_id,
            name=name,
            description=data["description"],
            target_groups=list(data.get("target_groups") or []),
            focus_areas=sorted(data.get("focus_areas") or []),
            whole_municipality=data["whole_municipality"],
            area="" if data["whole_municipality"] else data["area"],
            seeks_volunteers=data["seeks_volunteers"],
            volunteers_text=data["volunteers_text"] if data["seeks_volunteers"] else "",
            website=data["website"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
        )
