"""The municipality's complaint guidance in the screens (issue 17): the general text and
one per kind of letter that decides against the association; blank = the fallback.

Who may: the round editors (``cases.permissions.may_edit_rounds``); the write is
``cases.services.complaint_guidance``'s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import limits
from cases.models.documents import GUIDED_KINDS, DocumentKind, default_complaint_text
from cases.services import complaint_guidance as services
from web.forms import style_fields
from web.rounds.views import _editable_municipalities


class GuidanceForm(forms.Form):
    general = forms.CharField(
        label=gettext_lazy("For every adverse decision"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Used in every letter below that has no text of its own. Blank: the default "
            "guidance (no administrative appeal; Ankestyrelsen; the Ombudsman)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in GUIDED_KINDS:
            self.fields[kind.value] = forms.CharField(
                label=kind.label,
                required=False,
                max_length=limits.TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=(
                    _("Blank: the default text for a returned report (it is no decision).")
                    if kind == DocumentKind.REPORT_RETURNED
                    else _("Blank: the text for every adverse decision is used.")
                ),
            )
        style_fields(self.fields)


def _say_what_blank_gives(form: GuidanceForm, current: dict[str, str]) -> None:
    """Beside each field, the text a letter gets now when the field is left blank: the
    default guidance, or the municipality's general text."""
    general = current[""] or default_complaint_text()
    form.fields["general"].blank_gives = default_complaint_text()  # type: ignore[attr-defined]
    for kind in GUIDED_KINDS:
        form.fields[kind.value].blank_gives = (  # type: ignore[attr-defined]
            default_complaint_text(kind) if kind == DocumentKind.REPORT_RETURNED else general
        )


@login_required
def complaint_guidance(request: HttpRequest) -> HttpResponse:
    municipalities = list(_editable_municipalities(request.user))
    if not municipalities:
        raise PermissionDenied(
            _("Only the municipality's case officers and managers edit its letter texts.")
        )
    chosen = request.GET.get("municipality") or request.POST.get("municipality")
    municipality = next((m for m in municipalities if str(m.pk) == chosen), municipalities[0])
    current = services.complaint_guidance_of(municipality)
    initial = {"general": current[""], **{k: v for k, v in current.items() if k}}
    form = GuidanceForm(request.POST if request.method == "POST" else None, initial=initial)
    _say_what_blank_gives(form, current)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            services.complaint_guidance_save(
                municipality=municipality,
                acting_user=request.user,
                general=data["general"].strip(),
                per_kind={k.value: data[k.value] for k in GUIDED_KINDS},
            )
            messages.success(
                request,
                _("The complaint guidance of %(m)s has been saved.") % {"m": municipality.name},
            )
            return redirect(f"{request.path}?municipality={municipality.pk}")
    return render(
        request,
        "rounds/complaint_guidance.html",
        {"form": form, "municipality": municipality, "municipalities": municipalities},
        status=status,
    )
