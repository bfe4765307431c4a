from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserSession(models.Model):
    """Which sessions belong to which user, so deactivation can end them all.

    Written at login, removed at logout. Database sessions store the user id only
    inside their encoded data; this index saves decoding every session row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"


class AccountDeactivation(models.Model):
    """When a user account was made inactive: retention anonymises it a settable period
    later (``PULJEFLOW_ACCOUNT_RETENTION_MONTHS``, cases/services/retention_schedule.py).
    Written by the deactivation receiver, removed when the account is made active again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deactivation"
    )
    deactivated_at = models.DateTimeField(pgettext_lazy("retention", "deactivated"), db_index=True)
    anonymised_at = models.DateTimeField(
        pgettext_lazy("retention", "anonymised"), null=True, blank=True
    )

    class Meta:
        verbose_name = pgettext_lazy("retention", "account deactivation")
        verbose_name_plural = pgettext_lazy("retention", "account deactivations")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.deactivated_at:%Y-%m-%d}"
