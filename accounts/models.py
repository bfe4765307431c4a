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


class IdentityProvider(models.TextChoices):
    NEMLOGIN = "nemlogin", _("NemLog-in (MitID Erhverv)")
    OIDC = "oidc", _("The municipality's identity provider")


class ExternalIdentity(models.Model):
    """A person as an identity provider knows them, tied to a Puljeflow user.

    NemLog-in gives a persistent identifier per person (the same at every sign-in); the
    municipality's OpenID Connect provider gives a subject per issuer. The user is found by
    this pair, never by name or e-mail alone after the first sign-in.
    """

    provider = models.CharField(_("identity provider"), max_length=20, choices=IdentityProvider)
    # The OpenID Connect issuer, or NemLog-in's entity id: a subject is unique only within it.
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("persistent identifier"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    created = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "issuer", "subject"], name="unique_external_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject[:12]}…"
