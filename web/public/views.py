"""The public pages: a municipality's calls and its grants register, for anyone, no sign-in.

Every page is rendered once per version of the municipality's public data and kept in
Django's cache (``_served``): the key holds ``PublicationVersion.version``, read with the
municipality in the one query a cached page costs. A decision bumps the version
(cases/services/publication.py), so the next visitor sees it at once in every process.
What is cached is the page's content, not the whole response: a signed-in visitor gets
their own header around the same content.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.documents import cells
from cases.formatting import money
from cases.models import AttachmentKind, Municipality, TargetGroupCode
from cases.selectors import public as selectors
from web.home.charts import Bar, bar_chart
from web.public.forms import FOCUS, PAGE, ROUND, YEAR, RegisterFilterForm

logger = logging.getLogger("puljeflow.public")

# The query parameters a page depends on: the cache key holds these and nothing else, so
# an address with made-up parameters cannot fill the cache with copies.
KEY_PARAMS = (YEAR, ROUND, FOCUS, PAGE, "csv")
SCHEMA_VERSION = "1.0"


@dataclass
class Rendered:
    status: int
    body: str
    title: str = ""
    content_type: str = "text/html; charset=utf-8"
    filename: str = ""


def _municipality(slug: str) -> Municipality:
    """The municipality with its publication version: the one query of a cached page."""
    return get_object_or_404(Municipality.objects.select_related("publication"), slug=slug)


def _version(municipality: Municipality) -> int:
    try:
        return municipality.publication.version
    except Municipality.publication.RelatedObjectDoesNotExist:
        return 0


def _served(
    request: HttpRequest,
    municipality: Municipality,
    build: Callable[[], Rendered],
    key_params: tuple[str, ...] = KEY_PARAMS,
) -> Rendered:
    """``build()``'s result for this page, from the cache when this version has it.
    ``key_params``: the query parameters the page depends on (issue 20: the directory's)."""
    params = "&".join(f"{k}={request.GET.get(k, '')}" for k in key_params if k in request.GET)
    raw = ":".join(
        [
            str(municipality.pk),
            str(_version(municipality)),
            translation.get_language() or "",
            request.get_host(),
            timezone.localdate().isoformat(),  # a countdown in days changes at midnight
            request.path,
            params,
        ]
    )
    key = "public:" + hashlib.sha256(raw.encode()).hexdigest()
    # The cache (Redis in production) is a saving, not a need: while it is unreachable the
    # page is built each time, never a 500 (issue 19's load test restarted Redis).
    try:
        found = cache.get(key)
    except Exception as error:
        logger.warning("public page cache unreachable (%s: %s)", type(error).__name__, error)
        return build()
    if isinstance(found, Rendered):
        return found
    rendered = build()
    try:
        cache.set(key, rendered, settings.PULJEFLOW_PUBLIC_CACHE_SECONDS)
    except Exception as error:
        logger.warning("public page cache unreachable (%s: %s)", type(error).__name__, error)
    return rendered


def _page(request: HttpRequest, municipality: Municipality, rendered: Rendered) -> HttpResponse:
    return render(
        request,
        "public/page.html",
        {
            "municipality": municipality,
            "title": rendered.title,
            # Our own template's output, every value escaped when it was rendered and cached.
            "content": mark_safe(rendered.body),  # noqa: S308  # nosec B308, B703
        },
        status=rendered.status,
    )


def _file(rendered: Rendered) -> HttpResponse:
    response = HttpResponse(rendered.body, content_type=rendered.content_type)
    response.status_code = rendered.status
    if rendered.filename:
        response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


# --- the list of municipalities --------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.order_by("name").only("name", "slug")
    return render(request, "public/index.html", {"municipalities": municipalities})


# --- a municipality's front and its calls ----------------------------------------------


def _deadline_facts(grant_round: Any, today: datetime.date) -> dict[str, Any]:
    now = timezone.now()
    deadline_day = timezone.localtime(grant_round.deadline).date()
    return {
        "round": grant_round,
        "is_open": grant_round.is_open(now),
        "not_yet_open": grant_round.opens_at > now,
        "days_left": (deadline_day - today).days,
    }


@require_safe
def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        today = timezone.localdate()
        rounds = [_deadline_facts(r, today) for r in selectors.public_rounds(place)]
        body = render_to_string(
            "public/_municipality.html",
            {
                "municipality": place,
                "open_rounds": [r for r in rounds if r["is_open"]],
                "coming_rounds": [r for r in rounds if r["not_yet_open"]],
            },
        )
        return Rendered(200, body, title=place.name)

    return _page(request, place, _served(request, place, build))


def _decision_steps(place: Municipality, grant_round: Any) -> list[str]:
    """How and when the round's applications are decided, in the order it happens."""
    if not grant_round.council_recommends:
        return [
            _(
                "The administration screens each application and decides on it directly "
                "(a quick pool), without meetings."
            )
        ]
    council, committee = place.council_name, place.committee_name
    steps = [_("The secretariat checks that each application is complete and eligible.")]
    if grant_round.council_meeting_date:
        steps.append(
            _("%(council)s recommends an amount for each application at its meeting on %(date)s.")
            % {"council": council, "date": _long_date(grant_round.council_meeting_date)}
        )
    else:
        steps.append(
            _("%(council)s recommends an amount for each application.") % {"council": council}
        )
    if grant_round.decided_by_administration:  # § 79: the case officer decides
        steps.append(
            _("The administration decides on each application after the council's recommendation.")
        )
    elif grant_round.committee_meeting_date:
        steps.append(
            _("%(committee)s decides on each application at its meeting on %(date)s.")
            % {"committee": committee, "date": _long_date(grant_round.committee_meeting_date)}
        )
    else:
        steps.append(_("%(committee)s decides on each application.") % {"committee": committee})
    steps.append(_("You receive the decision as a letter, with the reasons for it."))
    return steps


def _long_date(value: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


@require_safe
def call(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        grant_round = selectors.public_round(place, pk)
        if grant_round is None:
            raise Http404
        kinds = dict(AttachmentKind.choices)
        body = render_to_string(
            "public/_call.html",
            {
                "municipality": place,
                **_deadline_facts(grant_round, timezone.localdate()),
                "pool": money(grant_round.pool_amount),
                "ceiling": money(grant_round.ceiling_per_application)
                if grant_round.ceiling_per_application is not None
                else "",
                "attachments": [
                    str(kinds.get(k, k)) for k in grant_round.required_attachments or []
                ],
                "target_groups": [str(label) for _code, label in TargetGroupCode.choices],
                "decision_steps": _decision_steps(place, grant_round),
                "apply_url": reverse("applications:application_new") + f"?round={grant_round.pk}",
            },
        )
        return Rendered(200, body, title=grant_round.name)

    return _page(request, place, _served(request, place, build))


# --- the grants register ---------------------------------------------------------------


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the register sums its totals per year)
    instead of asking the database again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _bars(totals: list[selectors.Total]) -> list[Bar]:
    return [Bar(t.label, float(t.amount), money(t.amount)) for t in totals]


@require_safe
def register(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        form = RegisterFilterForm(request.GET)
        valid = form.is_valid()
        chosen = form.chosen()
        rows = selectors.published(place, chosen)
        years = selectors.totals_per_year(rows)
        page = CountedPaginator(
            selectors.register_page(rows), selectors.PAGE_SIZE, count=sum(y.rows for y in years)
        ).get_page(request.GET.get(PAGE))
        per_year = _bars(years)
        per_area = _bars(selectors.totals_per_focus_area(rows))
        # Unfiltered, the totals per year name every year the register has.
        known_years = [int(y.label) for y in years] if chosen.is_empty() else None
        body = render_to_string(
            "public/_register.html",
            {
                "municipality": place,
                "form": form,
                "filters": form.options(selectors.filter_choices(place, known_years)),
                "page": page,
                "query": _query_without_page(request),
                "per_year": per_year,
                "per_year_chart": bar_chart(per_year, label=_("Grants per year")),
                "per_area": per_area,
                "per_area_chart": bar_chart(per_area, label=_("Grants per focus area")),
                "filtered": _query_without_page(request),
            },
        )
        return Rendered(200 if valid else 400, body, title=_("Grants register"))

    return _page(request, place, _served(request, place, build))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop(PAGE, None)
    return query.urlencode()


def _chosen_or_error(request: HttpRequest) -> tuple[selectors.RegisterFilter, str]:
    form = RegisterFilterForm(request.GET)
    if form.is_valid():
        return form.chosen(), ""
    first = next(iter(form.errors.items()))
    return selectors.RegisterFilter(), f"{first[0]}: {first[1][0]}"


def _error_json(message: str) -> Rendered:
    body = json.dumps({"error": message}, ensure_ascii=False)
    return Rendered(400, body, content_type="application/json; charset=utf-8")


@require_safe
def register_csv(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        chosen, error = _chosen_or_error(request)
        if error:
            return Rendered(400, error, content_type="text/plain; charset=utf-8")
        rows = selectors.open_data_rows(selectors.published(place, chosen))
        lines = [list(selectors.FIELDS)] + [
            [
                *(row[f] for f in selectors.FIELDS[:-2]),
                " | ".join(row["focus_areas"]),
                row["outcome"],
            ]
            for row in rows
        ]
        dialect = cells.dialect_named(request.GET.get("csv"))
        return Rendered(
            200,
            cells.csv_text(lines, dialect=dialect),
            content_type="text/csv; charset=utf-8",
            filename=f"tilskud-{place.slug}.csv",
        )

    return _file(_served(request, place, build))


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@require_safe
def register_json(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        chosen, error = _chosen_or_error(request)
        if error:
            return _error_json(error)
        rows = selectors.open_data_rows(selectors.published(place, chosen))
        document = {
            "municipality": {"name": place.name, "slug": place.slug},
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            # The schema (docs/schemas/grants-register.schema.json) this document follows.
            "schema_version": SCHEMA_VERSION,
            "count": len(rows),
            "grants": [{k: _json_value(v) for k, v in row.items()} for row in rows],
        }
        body = json.dumps(document, ensure_ascii=False, indent=1)
        return Rendered(200, body, content_type="application/json; charset=utf-8")

    return _file(_served(request, place, build))


@require_safe
def register_atom(request: HttpRequest, slug: str) -> HttpResponse:
    place = _municipality(slug)

    def build() -> Rendered:
        page = request.build_absolute_uri(reverse("public:register", args=[place.slug]))
        feed = feedgenerator.Atom1Feed(
            title=_("Grants from %(municipality)s") % {"municipality": place.name},
            link=page,
            description=_("The newest grants in the municipality's grants register."),
            feed_url=request.build_absolute_uri(),
            language=translation.get_language(),
        )
        host = request.get_host().split(":")[0]
        grants = selectors.published(place).filter(granted_amount__gt=0)
        for row in selectors.newest(grants):
            decided = row["decided_on"]
            feed.add_item(
                title=f"{row['association_name']}: {row['title']}",
                link=f"{page}#sag-{row['case_number']}",
                description=_("%(amount)s granted from %(round)s on %(date)s.")
                % {
                    "amount": money(row["granted_amount"] or Decimal("0")),
                    "round": row["round_name"],
                    "date": _long_date(decided),
                },
                unique_id=f"tag:{host},{decided.isoformat()}:{place.slug}/{row['case_number']}",
                pubdate=row["decided_at"],
                updateddate=row["decided_at"],
            )
        body = feed.writeString("utf-8")
        return Rendered(200, body, content_type="application/atom+xml; charset=utf-8")

    return _file(_served(request, place, build))
