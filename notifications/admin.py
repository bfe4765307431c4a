"""The outbox, read-only, with one action: try the selected rows again now."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Notification, Reminder, Status, UserPreference
from notifications.services import enqueue_on_commit


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "recipient_email",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "is_legal_notice",
    ]
    list_filter = ["status", "channel", "kind", "is_legal_notice", "language"]
    search_fields = ["recipient_email", "subject", "message_id", "application__case_number"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("notifications.change_notification"))

    @admin.action(description=_("Try the selected e-mails again now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        # Rows being sent right now are left alone (the status test is repeated in the
        # UPDATE, so a row claimed meanwhile is not reset); given-up rows get a fresh
        # allowance of attempts.
        retryable = [Status.FAILED, Status.GIVEN_UP, Status.PENDING]
        with transaction.atomic():
            ids = list(queryset.filter(status__in=retryable).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=ids, status__in=retryable).update(
                status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            for pk in ids:
                enqueue_on_commit(pk)
        self.message_user(
            request,
            ngettext("%d e-mail queued.", "%d e-mails queued.", len(ids)) % len(ids),
            messages.SUCCESS,
        )


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The keys of reminders sent: read-only, since a row is the proof a reminder went out
    (deleting one would let the rules send it again)."""

    list_display = ["created_at", "rule", "object_kind", "object_id", "due_on", "recipient_key"]
    list_filter = ["rule", "object_kind"]
    search_fields = ["=object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
