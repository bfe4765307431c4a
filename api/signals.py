"""A user's API tokens end with their password, and with their account.

Sessions already do: Django ties a session to the password's hash, and deactivation
ends every session (``accounts.sessions``). A token carries no such tie, so every
token of the user is deleted when ``accounts`` says the credentials were revoked.
Deleting (not only refusing inactive users' tokens) keeps a reactivated account from
finding its old tokens alive.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.signals import credentials_revoked

from .models import ApiToken


@receiver(credentials_revoked, dispatch_uid="api.revoke_tokens")
def _revoke_tokens(sender: Any, user: Any, reason: str, **kwargs: Any) -> None:
    ApiToken.objects.filter(user=user).delete()
