"""The directory's public pages and files, per municipality, no sign-in (issue 20, item 4).

Cached as the register is (web/public/views.py ``_served``): once per version of the
municipality's public data, which publishing or withdrawing an entry bumps in the same
transaction — a withdrawn entry is gone from the next response of every page and file, in
every process.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.documents import cells
from cases.selectors import directory as selectors
from web.directory.forms import KEY_PARAMS, PAGE, DirectoryFilterForm
from web.public.views import (
    Rendered,
    _error_json,
    _file,
    _municipality,
    _page,
    _served,
)

SCHEMA_VERSION = "1.0"


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop(PAGE, None)
    return query.urlencode()


@require_safe
def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        form = DirectoryFilterForm(request.GET)
        valid = form.is_valid()
        rows = selectors.listed(place, form.chosen())
        page = Paginator(selectors.directory_page(rows), selectors.PAGE_SIZE).get_page(
            request.GET.get(PAGE)
        )
        body = render_to_string(
            "directory/_public_list.html",
            {
                "municipality": place,
                "form": form,
                "selects": form.options(selectors.filter_choices(place)),
                "page": page,
                "entries": [selectors.as_public(e) for e in page.object_list],
                "query": _query_without_page(request),
            },
        )
        return Rendered(200 if valid else 400, body, title=_("Directory of associations"))

    return _page(request, place, _served(request, place, build, KEY_PARAMS))


@require_safe
def public_entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        entry = selectors.public_entry(place, pk)
        if entry is None:
            raise Http404(_("The association is not in the directory."))
        body = render_to_string(
            "directory/_public_entry.html",
            {
                "municipality": place,
                "entry": entry,
                "grants": selectors.entry_grants(place, pk),
            },
        )
        return Rendered(200, body, title=entry.name)

    return _page(request, place, _served(request, place, build, KEY_PARAMS))


def _chosen_or_error(request: HttpRequest) -> tuple[selectors.DirectoryFilter, str]:
    form = DirectoryFilterForm(request.GET)
    if form.is_valid():
        return form.chosen(), ""
    name, errors = next(iter(form.errors.items()))
    return selectors.DirectoryFilter(), f"{name}: {errors[0]}"


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value


@require_safe
def public_json(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        chosen, error = _chosen_or_error(request)
        if error:
            return _error_json(error)
        rows = selectors.open_data_rows(selectors.listed(place, chosen))
        document = {
            "municipality": {"name": place.name, "slug": place.slug},
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            # docs/schemas/association-directory.schema.json
            "schema_version": SCHEMA_VERSION,
            "count": len(rows),
            "associations": [
                {k: _json_value(v) if v is not None else None for k, v in row.items()}
                for row in rows
            ],
        }
        body = json.dumps(document, ensure_ascii=False, indent=1)
        return Rendered(200, body, content_type="application/json; charset=utf-8")

    return _file(_served(request, place, build, KEY_PARAMS))


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " | ".join(value)
    return value


@require_safe
def public_csv(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        chosen, error = _chosen_or_error(request)
        if error:
            return Rendered(400, error, content_type="text/plain; charset=utf-8")
        rows = selectors.open_data_rows(selectors.listed(place, chosen))
        lines = [list(selectors.FIELDS)] + [
            [_csv_cell(row[f]) for f in selectors.FIELDS] for row in rows
        ]
        return Rendered(
            200,
            cells.csv_text(lines, dialect=cells.dialect_named(request.GET.get("csv"))),
            content_type="text/csv; charset=utf-8",
            filename=f"foreninger-{place.slug}.csv",
        )

    return _file(_served(request, place, build, KEY_PARAMS))
