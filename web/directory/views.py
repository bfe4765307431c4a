"""The association's own screens for the directory (issue 20, item 4): from its home,
»Vis jer i foreningsoversigten« — fill in, preview exactly as the public sees it, publish;
change it; withdraw it with a confirmation. Only its representatives (404 for anyone else).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cases.models import DirectoryEntry, Municipality
from cases.permissions import directory as rules
from cases.selectors import directory as selectors
from cases.services import directory as services
from web.directory.forms import EntryForm

PREVIEW, PUBLISH = "preview", "publish"


@login_required
@require_safe
def entries(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's listing in each municipality: listed, withdrawn or not yet."""
    association = rules.get_association_to_list(request.user, pk)
    own = selectors.own_entries(association.pk)
    rows = [
        {"municipality": m, "entry": own.get(m.pk)}
        for m in Municipality.objects.order_by("name").only("name", "slug")
    ]
    return render(request, "directory/entries.html", {"association": association, "rows": rows})


def _focus_names(place: Municipality, entry: DirectoryEntry | None) -> list[str]:
    names = set(selectors.focus_area_names(place))
    if entry is not None:
        names |= {f.name for f in entry.focus_areas.all()}
    return sorted(names)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_edit(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """GET: the form. POST »Vis forhåndsvisning«: the page as the public will see it, above
    the same form with everything typed. POST »Offentliggør«: published, at once."""
    association = rules.get_association_to_list(request.user, pk)
    place = get_object_or_404(Municipality, slug=slug)
    entry = selectors.own_entry(association.pk, place)
    instance = entry or DirectoryEntry(association=association, municipality=place)
    form = EntryForm(
        request.POST or None, instance=instance, focus_area_names=_focus_names(place, entry)
    )
    context: dict[str, Any] = {
        "association": association,
        "municipality": place,
        "entry": entry,
        "form": form,
    }
    if request.method != "POST":
        return render(request, "directory/entry_edit.html", context)
    if not form.is_valid():
        return render(request, "directory/entry_edit.html", context, status=400)
    if request.POST.get("action") == PUBLISH:
        services.directory_entry_publish(
            association=association,
            municipality=place,
            acting_user=request.user,
            data=form.cleaned_data,
        )
        messages.success(
            request,
            _("%(name)s is now in the directory of %(municipality)s. Everyone can see it.")
            % {"name": association.name, "municipality": place.name},
        )
        return redirect("directory:entries", pk=association.pk)
    context["preview"] = form.preview(association.name, association.pk)
    return render(request, "directory/entry_edit.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_withdraw(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """»Træk jer ud af oversigten«: a confirmation (GET), then off every public page (POST)."""
    association = rules.get_association_to_list(request.user, pk)
    place = get_object_or_404(Municipality, slug=slug)
    entry = selectors.own_entry(association.pk, place)
    overview = reverse("directory:entries", args=[association.pk])
    if entry is None or not entry.published:
        messages.info(
            request,
            _("You are not listed in the directory of %(municipality)s.")
            % {"municipality": place.name},
        )
        return redirect(overview)
    if request.method != "POST":
        return render(
            request,
            "directory/entry_withdraw.html",
            {"association": association, "municipality": place, "entry": entry},
        )
    try:
        services.directory_entry_withdraw(entry=entry, acting_user=request.user)
    except services.NotListed as refused:
        messages.info(request, str(refused))
    else:
        messages.success(
            request,
            _(
                "%(name)s has been taken out of the directory of %(municipality)s. It is no "
                "longer on any public page. What you wrote is kept if you want to be listed again."
            )
            % {"name": association.name, "municipality": place.name},
        )
    return redirect(overview)
