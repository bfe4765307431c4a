"""An anonymised account keeps no identity provider's identifier for the person."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.models import ExternalIdentity, IdentityProvider
from cases.services.retention_schedule import apply_schedule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymising_an_account_removes_its_external_identities() -> None:
    now = timezone.now()
    gone = UserFactory(username="nemlogin-gone")
    kept = UserFactory(username="nemlogin-kept")
    for user, subject in ((gone, "urn:uuid:gone"), (kept, "urn:uuid:kept")):
        ExternalIdentity.objects.create(
            provider=IdentityProvider.NEMLOGIN, issuer="https://idp", subject=subject, user=user
        )
    with time_machine.travel(now - datetime.timedelta(days=800), tick=False):
        gone.is_active = False
        gone.save()

    assert apply_schedule(now=now).accounts_anonymised == 1
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["urn:uuid:kept"]
