"""System checks for the trail's keys: a bad setting is an Error; a derived key, with
``--deploy``, an Info — not a Warning, so ``make security`` (which sets only the secret
key) passes, while ``check --deploy`` still says what production should set."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from cases.trail.keys import keyring, keys_are_derived, signing_key, signing_key_is_derived


def trail_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for load in (keyring, signing_key):
        try:
            load()
        except ImproperlyConfigured as error:
            messages.append(checks.Error(str(error), id="puljeflow.E101"))
    return messages


def trail_keys_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if keys_are_derived():
        messages.append(
            checks.Info(
                "The trail's HMAC key is derived from SECRET_KEY.",
                hint="Set PULJEFLOW_TRAIL_KEYS and PULJEFLOW_TRAIL_KEY_ID (README, Production).",
                id="puljeflow.I001",
            )
        )
    if signing_key_is_derived():
        messages.append(
            checks.Info(
                "The checkpoints' signing key is derived from SECRET_KEY.",
                hint="Set PULJEFLOW_CHECKPOINT_SIGNING_KEY (README, Production).",
                id="puljeflow.I002",
            )
        )
    return messages


def register() -> None:
    checks.register(trail_keys)
    checks.register(trail_keys_deploy, deploy=True)
