"""The Puljeflow user behind a NemLog-in identity: found by its ExternalIdentity, made at first sign-in."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import ExternalIdentity, IdentityProvider

from .attributes import NemLoginPerson


def username_for(person: NemLoginPerson) -> str:
    """Stable, meaningless, and never the CPR number: a digest of issuer and persistent id."""
    digest = hashlib.sha256(f"{person.issuer}\n{person.subject}".encode()).hexdigest()
    return f"nemlogin-{digest[:16]}"


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


@transaction.atomic
def user_for(person: NemLoginPerson) -> Any:
    """The user tied to (NemLog-in, issuer, subject); a new one, without a usable password,
    at the first sign-in. The name follows the assertion at every sign-in."""
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=IdentityProvider.NEMLOGIN, issuer=person.issuer, subject=person.subject)
        .first()
    )
    first_name, last_name = _split(person.name)
    if identity is None:
        user = get_user_model()(
            username=username_for(person),
            first_name=first_name[:150],
            last_name=last_name[:150],
            email=person.email[:254],
        )
        user.set_unusable_password()
        user.save()
        identity = ExternalIdentity.objects.create(
            provider=IdentityProvider.NEMLOGIN,
            issuer=person.issuer,
            subject=person.subject,
            user=user,
        )
    user = identity.user
    changed = [
        name
        for name, value in (("first_name", first_name[:150]), ("last_name", last_name[:150]))
        if value and getattr(user, name) != value
    ]
    if changed:
        for name in changed:
            setattr(user, name, first_name[:150] if name == "first_name" else last_name[:150])
        user.save(update_fields=changed)
    identity.last_seen = timezone.now()
    identity.save(update_fields=["last_seen"])
    return user
