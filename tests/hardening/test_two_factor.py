"""Two-factor login (django-otp TOTP) for staff of a municipality that requires it."""

from __future__ import annotations

import binascii
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from web.accounts.views import SETUP_KEY

from .conftest import current_code, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(world: Any) -> Any:
    world.roskilde.require_two_factor = True
    world.roskilde.save()
    return world


def test_staff_of_a_strict_municipality_need_a_second_factor(strict: Any) -> None:
    assert two_factor.required_for(strict.carl)
    assert two_factor.required_for(strict.gustav)
    # Næstved does not require it; applicants never need it.
    assert not two_factor.required_for(strict.helle)
    assert not two_factor.required_for(strict.anna)


def test_nobody_needs_it_where_no_municipality_requires_it(world: Any) -> None:
    assert not two_factor.required_for(world.carl)
    assert not two_factor.required_for(world.admin)


def test_admins_need_it_as_soon_as_any_municipality_requires_it(strict: Any) -> None:
    # The admin sees every municipality's data, so the strictest rule applies.
    assert two_factor.required_for(strict.admin)


def test_verify_accepts_the_current_code_of_a_confirmed_device_only(world: Any) -> None:
    device = enrol(world.carl)
    wrong = "000000" if current_code(device) != "000000" else "000001"
    assert not two_factor.verify(world.carl, wrong)
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # the failure made it wait a second
    assert two_factor.verify(world.carl, current_code(device))
    # The same code twice is a replay.
    assert not two_factor.verify(world.carl, current_code(device))
    unconfirmed = TOTPDevice.objects.create(user=world.erik, name="x", confirmed=False)
    assert not two_factor.verify(world.erik, current_code(unconfirmed))


def test_a_staff_page_is_refused_without_a_verified_second_factor(
    strict: Any, as_user: Any
) -> None:
    enrol(strict.carl)
    client = as_user(strict.carl)
    response = client.get(reverse("staff_rounds"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    # So is the Django admin for an admin, and the API answers 403.
    client = as_user(strict.admin)
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("otp_setup"))
    assert client.get("/api/v1/").status_code == 403
    # The same page, for a case officer of a municipality that does not require it.
    assert as_user(strict.helle).get(reverse("staff_rounds")).status_code == 200


def test_login_with_password_then_code(strict: Any, caplog: Any) -> None:
    device = enrol(strict.carl)
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "carl", "password": "pw", "next": reverse("staff_rounds")},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    # A wrong code: an error next to the field, a log line, still no staff page.
    wrong = "123456" if current_code(device) != "123456" else "654321"
    with override("en"), caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        refused = client.post(response["Location"], {"code": wrong})
    assert refused.status_code == 400
    assert 'id="id_code-error"' in refused.content.decode()
    assert any(r.getMessage().startswith("otp_failed") for r in caplog.records)
    assert client.get(reverse("staff_rounds")).status_code == 302
    device.throttle_reset()  # the failure made the device wait a second
    accepted = client.post(
        f"{reverse('otp_verify')}?next={reverse('staff_rounds')}",
        {"code": current_code(device)},
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("staff_rounds")
    assert client.get(reverse("staff_rounds")).status_code == 200


def test_a_first_login_sets_up_the_app_with_a_qr_code(strict: Any) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "carl", "password": "pw"})
    assert response["Location"].startswith(reverse("otp_setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    # Nothing is stored until a code confirms the app.
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()
    key = client.session[SETUP_KEY]
    code = TOTP(binascii.unhexlify(key)).token()
    done = client.post(reverse("otp_setup"), {"code": f"{code:06d}"})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=strict.carl).confirmed
    assert client.get(reverse("staff_rounds")).status_code == 200


def test_setup_refuses_a_wrong_code_next_to_the_field(strict: Any, as_user: Any) -> None:
    client = as_user(strict.carl)
    client.get(reverse("otp_setup"))
    key = client.session[SETUP_KEY]
    right = f"{TOTP(binascii.unhexlify(key)).token():06d}"
    wrong = "111111" if right != "111111" else "222222"
    with override("en"):
        response = client.post(reverse("otp_setup"), {"code": wrong})
    assert response.status_code == 400
    assert 'id="id_code-error"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()


def test_a_second_device_cannot_be_added_without_the_first(strict: Any, as_user: Any) -> None:
    enrol(strict.carl)
    response = as_user(strict.carl).get(reverse("otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))


def test_applicants_are_not_asked_for_a_code(strict: Any, as_user: Any) -> None:
    assert as_user(strict.anna).get(reverse("my_applications")).status_code == 200
