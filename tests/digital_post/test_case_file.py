"""The case file's list of letters says for each how it went to Digital Post: sent, when
(Danish time), or failing; the reason of a failure only to the municipality's staff."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Application
from notifications.models import Notification, Status
from tests.conftest import NO_HEARING
from tests.workflows.support import S, reach
from workflows.engine import perform

from .conftest import deliver, digital_post_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(world: SimpleNamespace, draft: Application, digital_post: Path) -> Application:
    submitted = reach(draft, world, S.SUBMITTED)
    return perform(
        submitted, "reject", user=world.carl, reason="Ikke socialt arbejde.", **NO_HEARING
    )


def page(client: Client, user: object, application: Application) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("applications:application_detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_sent_letter_says_when_it_went_to_digital_post(
    client: Client, world: SimpleNamespace, rejected: Application
) -> None:
    (row,) = digital_post_rows()
    deliver([row])
    # 09:05 UTC on 15 January is 10:05 in Copenhagen.
    Notification.objects.filter(pk=row.pk).update(
        sent_at=datetime.datetime(2027, 1, 15, 9, 5, tzinfo=zoneinfo.ZoneInfo("UTC"))
    )

    html = page(client, world.anna, rejected)

    assert "Sendt til Digital Post 15. januar 2027 kl. 10.05" in html


def test_a_failing_letter_is_being_sent_and_only_staff_see_why(
    client: Client, world: SimpleNamespace, rejected: Application
) -> None:
    (row,) = digital_post_rows()
    Notification.objects.filter(pk=row.pk).update(
        status=Status.FAILED, last_error="DigitalPostError: Digital Post answered HTTP 503."
    )

    for_anna = page(client, world.anna, rejected)
    for_carl = page(client, world.carl, rejected)

    assert "Sendes til Digital Post" in for_anna and "HTTP 503" not in for_anna
    assert "Sendes til Digital Post (sidste forsøg mislykkedes og gentages: " in for_carl
    assert "HTTP 503" in for_carl

    Notification.objects.filter(pk=row.pk).update(status=Status.GIVEN_UP)
    assert "Kunne ikke sendes til Digital Post" in page(client, world.anna, rejected)
    assert "Kunne ikke sendes til Digital Post: DigitalPostError" in page(
        client, world.carl, rejected
    )


def test_the_delivery_status_screen_names_the_digital_post_recipient_by_cvr(
    client: Client, world: SimpleNamespace, rejected: Application
) -> None:
    client.force_login(world.carl)

    html = client.get(reverse("notifications:notification_outbox")).content.decode()

    assert f"Digital Post, CVR {world.a.cvr}" in html


def test_retention_may_delete_a_letter_that_went_by_digital_post(
    world: SimpleNamespace, rejected: Application
) -> None:
    (row,) = digital_post_rows()
    deliver([row])
    letter = rejected.documents.get()
    letter._history_user = world.carl  # type: ignore[attr-defined]

    letter.delete()  # as cases/services/retention_schedule.py does with a finished case's files

    row.refresh_from_db()
    assert (row.document, row.status, row.recipient_cvr) == (None, Status.SENT, world.a.cvr)
