"""The inbox's filters (django-filter): status, focus area, case officer, a search and the
sort order, all kept in the URL. One round's inbox, or every round of the user's
municipalities (the search across rounds)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy

from cases.models import FLOW_ORDER, Application, ApplicationStatus, FocusArea, GrantRound
from cases.trail.history import actor_display_name
from web.forms import DkfdsMixin

MINE, UNASSIGNED = "mine", "none"

# The sortable columns: the URL's name → the field sorted on. The order in the URL is
# "sort=amount" (ascending) or "sort=-amount" (descending).
SORTS = {
    "case_number": "case_number",
    "association": "association__name",
    "title": "title",
    "amount": "amount_requested",
    "status": "status_order",  # the flow's order, not the identifiers' alphabet
    "submitted": "submitted_at",
    "waiting": "waiting_since",
}


_STATUS_ORDER = Case(
    *(When(status=status, then=Value(place)) for place, status in enumerate(FLOW_ORDER)),
    default=Value(len(FLOW_ORDER)),
    output_field=IntegerField(),
)


class _Form(DkfdsMixin, forms.Form):
    """The design system's dress on the filter form."""


class InboxFilter(django_filters.FilterSet):
    """Without a chosen status, drafts are left out: the inbox shows what was submitted."""

    q = django_filters.CharFilter(
        method="search",
        max_length=100,
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Case number, association, CVR or title"),
    )
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices,
        empty_label=gettext_lazy("All submitted"),
        label=gettext_lazy("Status"),
    )
    focus_area = django_filters.ModelChoiceFilter(
        field_name="focus_areas",
        queryset=FocusArea.objects.none(),
        empty_label=gettext_lazy("All"),
        label=gettext_lazy("Focus area"),
    )
    round = django_filters.ModelChoiceFilter(
        queryset=GrantRound.objects.none(),
        empty_label=gettext_lazy("All rounds"),
        label=gettext_lazy("Round"),
    )
    officer = django_filters.ChoiceFilter(
        method="by_officer",
        choices=[],
        empty_label=gettext_lazy("Everyone"),
        label=gettext_lazy("Case officer"),
    )
    sort = django_filters.OrderingFilter(
        fields=tuple((field, name) for name, field in SORTS.items()),
        label=gettext_lazy("Sort"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Application
        fields: list[str] = []
        form = _Form

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Application],
        *,
        user: Any,
        officers: list[Any],
        grant_round: GrantRound | None = None,
        rounds: QuerySet[GrantRound] | None = None,
    ) -> None:
        super().__init__(data, queryset=queryset)
        self.user = user
        if grant_round is not None:
            self.filters["focus_area"].queryset = FocusArea.objects.filter(round=grant_round)
            del self.filters["round"]
        else:
            del self.filters["focus_area"]
            self.filters["round"].queryset = (
                rounds if rounds is not None else GrantRound.objects.none()
            )
        self.filters["officer"].extra["choices"] = [
            (MINE, gettext_lazy("My cases")),
            (UNASSIGNED, gettext_lazy("Not assigned")),
            *((str(o.pk), actor_display_name(o)) for o in officers),
        ]

    def search(self, queryset: QuerySet[Application], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(case_number__icontains=value)
            | Q(association__name__icontains=value)
            | Q(association__cvr__icontains=value)
            | Q(title__icontains=value)
        )

    def by_officer(self, queryset: QuerySet[Application], name: str, value: str) -> Any:
        if value == MINE:
            return queryset.filter(case_officer_id=self.user.pk)
        if value == UNASSIGNED:
            return queryset.filter(case_officer__isnull=True)
        return queryset.filter(case_officer_id=int(value))

    def filter_queryset(self, queryset: QuerySet[Application]) -> Any:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=ApplicationStatus.DRAFT)
        queryset = super().filter_queryset(queryset.annotate(status_order=_STATUS_ORDER))
        # A stable order within equal values, so that pages do not overlap.
        return queryset.order_by(*queryset.query.order_by, "pk")


def sort_links(query: Any, current: str) -> dict[str, dict[str, str]]:
    """Per column: the URL query that sorts by it (the other way if already sorted by it),
    keeping every filter, and its aria-sort state ("ascending", "descending" or "none")."""
    links = {}
    for name in SORTS:
        if current == name:
            state, next_sort = "ascending", f"-{name}"
        elif current == f"-{name}":
            state, next_sort = "descending", name
        else:
            state, next_sort = "none", name
        params = query.copy()
        params.pop("page", None)
        params["sort"] = next_sort
        links[name] = {"query": params.urlencode(), "aria": state}
    return links
