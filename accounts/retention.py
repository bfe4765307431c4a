"""Retention of user accounts: an account inactive for ``PULJEFLOW_ACCOUNT_RETENTION_MONTHS``
is anonymised — name, e-mail and username replaced, password made unusable, the id kept —
so the cases' trails show "anonymiseret bruger" where they named it (cases/trail/values.py)
while still telling one actor from another.

Answers ``cases.services.retention_schedule.accounts_due`` (the daily retention run). An
account that acted on a case still open waits until the case is finished: nothing in an
open case is touched. Each anonymisation is logged (``puljeflow.retention``).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import AccountDeactivation, ExternalIdentity
from cases.models import StatusGroup
from cases.trail.history import SYSTEM_USERNAME
from cases.trail.models import TransitionRecord
from cases.trail.values import ANONYMISED_USERNAME_PREFIX

logger = logging.getLogger("puljeflow.retention")


def account_period() -> datetime.timedelta:
    return datetime.timedelta(days=round(365.25 / 12 * settings.PULJEFLOW_ACCOUNT_RETENTION_MONTHS))


def due_accounts(now: datetime.datetime) -> QuerySet[Any]:
    acting_on_open = TransitionRecord.objects.filter(actor=OuterRef("pk")).exclude(
        application__status__in=StatusGroup.FINISHED
    )
    return (
        get_user_model()
        .objects.filter(
            is_active=False,
            deactivation__deactivated_at__lt=now - account_period(),
            deactivation__anonymised_at__isnull=True,
        )
        .exclude(username=SYSTEM_USERNAME)
        .exclude(username__startswith=ANONYMISED_USERNAME_PREFIX)
        .exclude(Exists(acting_on_open))
        .order_by("pk")
    )


def anonymise_account(user: Any, now: datetime.datetime) -> None:
    user.username = f"{ANONYMISED_USERNAME_PREFIX}{user.pk}"
    user.first_name = "anonymiseret"
    user.last_name = "bruger"
    user.email = ""
    user.set_unusable_password()
    user.save(update_fields=["username", "first_name", "last_name", "email", "password"])
    AccountDeactivation.objects.filter(user=user).update(anonymised_at=now)
    # The identity providers' persistent identifiers point at the person: they go too.
    ExternalIdentity.objects.filter(user=user).delete()
    logger.info("retention anonymised user account %s", user.pk)


def anonymise_accounts(
    sender: Any, *, now: datetime.datetime, dry_run: bool = False, **kwargs: Any
) -> int:
    """Answers ``accounts_due``; returns how many accounts it anonymised (or would)."""
    done = 0
    for user in due_accounts(now):
        if not dry_run:
            with transaction.atomic():
                anonymise_account(user, now)
        done += 1
    return done
