"""The round inbox's filters (django-filter): status, focus area and a search, kept in the URL."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from cases.models import Application, ApplicationStatus, FocusArea, GrantRound
from web.forms import DkfdsMixin


class _Form(DkfdsMixin, forms.Form):
    """The design system's dress on the filter form."""


class InboxFilter(django_filters.FilterSet):
    """Without a chosen status, drafts are left out: the inbox shows what was submitted."""

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
    q = django_filters.CharFilter(
        method="search",
        max_length=100,
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Association, CVR, case number or title"),
    )

    class Meta:
        model = Application
        fields: list[str] = []
        form = _Form

    def __init__(self, data: Any, queryset: QuerySet[Application], grant_round: GrantRound) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["focus_area"].queryset = FocusArea.objects.filter(round=grant_round)

    def search(self, queryset: QuerySet[Application], name: str, value: str) -> Any:
        return queryset.filter(
            Q(case_number__icontains=value)
            | Q(association__name__icontains=value)
            | Q(association__cvr__icontains=value)
            | Q(title__icontains=value)
        )

    def filter_queryset(self, queryset: QuerySet[Application]) -> Any:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=ApplicationStatus.DRAFT)
        return super().filter_queryset(queryset)
