"""Receivers: stamp sessions at login, forget them at logout, end them at deactivation.

``credentials_revoked`` is sent after a user's password changed (by any path that saves
the user: ``set_password``, the password forms, the admin, ``set_unusable_password``) or
the user was made inactive. Whatever grants access beside the session listens to it:
the API's tokens (``api/signals.py``), so that accounts need not know the API.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from . import sessions, two_factor
from .refusals import log_event

TWO_FACTOR_REQUIRED = "puljeflow_2fa_required"
# Sent with ``user`` and ``reason`` ("password" or "deactivated") after the save.
credentials_revoked = Signal()
_REVOKE = "_puljeflow_credentials_revoked"


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    sessions.stamp_login(request.session, user)
    # Decided once per login, so that an ordinary page view costs no query for it.
    request.session[TWO_FACTOR_REQUIRED] = two_factor.required_for(user)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="accounts.credentials_changing")
def _credentials_changing(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    """Compare with the stored row; one query, and none for saves such as ``last_login``'s."""
    setattr(instance, _REVOKE, None)
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    stored = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    # Made active again: retention no longer counts towards anonymising it.
    instance._puljeflow_reactivated = not stored["is_active"] and instance.is_active
    if stored["is_active"] and not instance.is_active:
        setattr(instance, _REVOKE, "deactivated")
    elif stored["password"] != instance.password:
        setattr(instance, _REVOKE, "password")


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.deactivated")
def _deactivated(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance.is_active:
        sessions.end_all_sessions(instance.pk)
    reason = getattr(instance, _REVOKE, None)
    _note_deactivation(instance, reason)
    if reason:
        setattr(instance, _REVOKE, None)
        credentials_revoked.send(sender=sender, user=instance, reason=reason)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kw: Any
) -> None:
    log_event("lockout", request, username=username, ip=ip_address)


def _note_deactivation(user: Any, reason: str | None) -> None:
    """When the account was made inactive (retention counts from then); forgotten when it
    is made active again. No query for saves that do not touch ``is_active``."""
    from django.utils import timezone

    from .models import AccountDeactivation

    if reason == "deactivated":
        AccountDeactivation.objects.update_or_create(
            user=user, defaults={"deactivated_at": timezone.now(), "anonymised_at": None}
        )
    elif getattr(user, "_puljeflow_reactivated", False):
        user._puljeflow_reactivated = False
        AccountDeactivation.objects.filter(user=user, anonymised_at__isnull=True).delete()
