"""Django admin for configuration: municipalities, rounds, focus areas, associations, people.

Applications are shown read-only here: they change only through the flow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    Application,
    Association,
    AssociationMember,
    ComplaintGuidance,
    FocusArea,
    GrantRound,
    Municipality,
    ReportTier,
    RoundCondition,
    RoundCriterion,
    StaffRole,
)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 1


class RoundConditionInline(admin.TabularInline):
    model = RoundCondition
    extra = 1


class RoundCriterionInline(admin.TabularInline):
    model = RoundCriterion
    extra = 1


class AssociationMemberInline(admin.TabularInline):
    model = AssociationMember
    extra = 1
    autocomplete_fields = ["user"]


class ReportTierInline(admin.TabularInline):
    """What the usage report must carry from a granted amount on (none: the default tiers)."""

    model = ReportTier
    extra = 1


class ComplaintGuidanceInline(admin.StackedInline):
    """The complaint guidance per kind of letter; a kind without its own text gets the
    municipality's general text, or the default."""

    model = ComplaintGuidance
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "council_name", "committee_name"]
    search_fields = ["name"]
    inlines = [StaffRoleInline, ReportTierInline, ComplaintGuidanceInline]
    # A website typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ReportTier)
class ReportTierAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "from_amount", "requirement"]
    list_filter = ["municipality", "requirement"]


@admin.register(GrantRound)
class GrantRoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "scheme", "opens_at", "deadline", "pool_amount"]
    list_filter = ["municipality", "scheme"]
    search_fields = ["name"]
    inlines = [RoundConditionInline, RoundCriterionInline, FocusAreaInline]


@admin.register(Association)
class AssociationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "cvr", "city", "contact_person"]
    search_fields = ["name", "cvr"]
    inlines = [AssociationMemberInline]


@admin.register(StaffRole)
class StaffRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["municipality", "role"]


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "title", "association", "round", "status"]
    list_filter = ["status", "round__municipality"]
    search_fields = ["case_number", "title", "association__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
