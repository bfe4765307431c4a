"""Receivers: stamp sessions at login, forget them at logout, end them at deactivation."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from . import sessions, two_factor
from .refusals import log_event

TWO_FACTOR_REQUIRED = "puljeflow_2fa_required"


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


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.deactivated")
def _deactivated(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance.is_active:
        sessions.end_all_sessions(instance.pk)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kw: Any
) -> None:
    log_event("lockout", request, username=username, ip=ip_address)
