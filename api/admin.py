from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "last_used_at", "expires_at"]
    fields = ["user", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["user", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # A key is only shown when issued through the API; the admin can only revoke.
        return False
