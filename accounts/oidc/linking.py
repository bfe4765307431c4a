"""Who a person from the identity provider is in Puljeflow.

After the first sign-in only the provider's (issuer, subject) counts: a changed e-mail
address or name at the provider changes nothing here. The first sign-in links by one
verified claim to exactly one existing active staff user; a person with no such user is
refused, never created (roles are granted in Puljeflow, by its administrator).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ExternalIdentity, IdentityProvider

from .errors import OidcRefused


def _staff(users: Any) -> Any:
    """Users who work for a municipality in Puljeflow (a staff role), or run it (admin)."""
    return users.filter(
        Q(staff_roles__isnull=False) | Q(is_staff=True) | Q(is_superuser=True)
    ).distinct()


def _match_value(claims: dict[str, Any]) -> str:
    claim = settings.PULJEFLOW_OIDC_MATCH_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise OidcRefused("no_account", detail=f"no {claim} claim")
    if (
        claim == "email"
        and settings.PULJEFLOW_OIDC_REQUIRE_VERIFIED_EMAIL
        and claims.get("email_verified") is not True
    ):
        raise OidcRefused("no_account", detail="email not verified by the provider")
    return value.strip()


def _first_sign_in(issuer: str, subject: str, claims: dict[str, Any]) -> Any:
    value = _match_value(claims)
    field = "username" if settings.PULJEFLOW_OIDC_MATCH_FIELD == "username" else "email"
    users = list(_staff(get_user_model().objects.filter(**{f"{field}__iexact": value}))[:2])
    if not users:
        raise OidcRefused("no_account", detail=f"no staff user with this {field}")
    if len(users) > 1:
        raise OidcRefused("ambiguous", detail=f"several staff users with this {field}")
    user = users[0]
    if not user.is_active:
        raise OidcRefused("inactive", detail=f"user={user.pk}")
    if ExternalIdentity.objects.filter(
        provider=IdentityProvider.OIDC, issuer=issuer, user=user
    ).exists():
        # Another account at the same provider already is this user: not a second way in.
        raise OidcRefused("linked_elsewhere", detail=f"user={user.pk}")
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(
                provider=IdentityProvider.OIDC,
                issuer=issuer,
                subject=subject,
                user=user,
                last_seen=timezone.now(),
            )
    except IntegrityError:
        # The same person's second tab got there first: that row is the answer.
        return _known(issuer, subject)
    return user


def _known(issuer: str, subject: str) -> Any:
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=IdentityProvider.OIDC, issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        return None
    if not identity.user.is_active:
        raise OidcRefused("inactive", detail=f"user={identity.user_id}")
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_seen=timezone.now())
    return identity.user


def user_for(*, issuer: str, claims: dict[str, Any]) -> Any:
    """The active Puljeflow user this verified person is, or OidcRefused."""
    subject = str(claims["sub"])
    user = _known(issuer, subject)
    if user is None:
        user = _first_sign_in(issuer, subject, claims)
    return user
