"""API tokens, stored only as a SHA-256 of the key.

DRF's ``authtoken`` keeps keys in clear text, so anyone who reads the database
(a backup, a replica, a support dump) can act as every API user. Here the key is
shown once, when it is issued, and only its hash is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "pf_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.pk} of {self.user}"

    @classmethod
    def issue(cls, user: object) -> tuple[ApiToken, str]:
        """A new token for ``user``; the clear key is returned once and never stored."""
        key = PREFIX + secrets.token_urlsafe(32)
        lifetime = getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30)
        expires = timezone.now() + timedelta(days=lifetime) if lifetime else None
        token = cls.objects.create(user=user, key_hash=hash_key(key), expires_at=expires)
        return token, key

    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
