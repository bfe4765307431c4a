"""Two-factor login (django-otp TOTP) for staff of a municipality that requires it."""

from __future__ import annotations

import binascii
import datetime
import logging
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
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
    response = client.get(reverse("inbox:staff_rounds"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # So is the Django admin for an admin, and the API answers 403.
    client = as_user(strict.admin)
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.get("/api/v1/").status_code == 403
    # The same page, for a case officer of a municipality that does not require it.
    assert as_user(strict.helle).get(reverse("inbox:staff_rounds")).status_code == 200


def test_login_with_password_then_code(strict: Any, caplog: Any) -> None:
    device = enrol(strict.carl)
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "carl", "password": "pw", "next": reverse("inbox:staff_rounds")},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # A wrong code: an error next to the field, a log line, still no staff page.
    wrong = "123456" if current_code(device) != "123456" else "654321"
    with override("en"), caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        refused = client.post(response["Location"], {"code": wrong})
    assert refused.status_code == 400
    assert 'id="id_code-error"' in refused.content.decode()
    assert any(r.getMessage().startswith("otp_failed") for r in caplog.records)
    assert client.get(reverse("inbox:staff_rounds")).status_code == 302
    device.throttle_reset()  # the failure made the device wait a second
    accepted = client.post(
        f"{reverse('accounts:otp_verify')}?next={reverse('inbox:staff_rounds')}",
        {"code": current_code(device)},
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("inbox:staff_rounds")
    assert client.get(reverse("inbox:staff_rounds")).status_code == 200


def _mailed_code(to: str) -> str:
    [code] = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", mail.outbox[-1].body)
    assert mail.outbox[-1].to == [to]
    return code


def _app_code(client: Client) -> str:
    return f"{TOTP(binascii.unhexlify(client.session[SETUP_KEY])).token():06d}"


def test_a_first_login_sets_up_the_app_with_a_qr_code(strict: Any) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "carl", "password": "pw"})
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    # Nothing is stored until the codes confirm the app.
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()
    code_from_mail = _mailed_code("carl@example.org")
    done = client.post(
        reverse("accounts:otp_setup"), {"enrolment_code": code_from_mail, "code": _app_code(client)}
    )
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=strict.carl).confirmed
    assert client.get(reverse("inbox:staff_rounds")).status_code == 200


def test_a_password_alone_cannot_enrol_an_app(strict: Any) -> None:
    """Whoever has carl's password gets a QR code, but the code went to carl's mailbox."""
    client = Client()
    client.post(reverse("accounts:login"), {"username": "carl", "password": "pw"})
    client.get(reverse("accounts:otp_setup"))
    assert len(mail.outbox) == 1
    with override("en"):
        without = client.post(reverse("accounts:otp_setup"), {"code": _app_code(client)})
        guessed = client.post(
            reverse("accounts:otp_setup"),
            {"enrolment_code": "ABCD-EFGH", "code": _app_code(client)},
        )
    assert without.status_code == guessed.status_code == 400
    assert 'id="id_enrolment_code-error"' in guessed.content.decode()
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()
    assert client.get(reverse("inbox:staff_rounds")).status_code == 302
    # The same request with the code from the e-mail sets the app up.
    right = client.post(
        reverse("accounts:otp_setup"),
        {"enrolment_code": _mailed_code("carl@example.org").lower(), "code": _app_code(client)},
    )
    assert right.status_code == 302
    assert TOTPDevice.objects.filter(user=strict.carl, confirmed=True).exists()


def _enrolling(strict: Any) -> tuple[Client, str]:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "carl", "password": "pw"})
    client.get(reverse("accounts:otp_setup"))
    return client, _mailed_code("carl@example.org")


def test_an_expired_code_fails(strict: Any) -> None:
    client, code = _enrolling(strict)
    later = timezone.now() + datetime.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        response = client.post(
            reverse("accounts:otp_setup"), {"enrolment_code": code, "code": _app_code(client)}
        )
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()
    assert len(mail.outbox) == 2  # a new code went out; only the newest one counts


def test_a_replaced_code_fails_and_the_new_one_works(strict: Any) -> None:
    client, old = _enrolling(strict)
    # Asking for a new code at once is refused: one a minute.
    client.post(reverse("accounts:otp_setup"), {"resend": "1"})
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        client.post(reverse("accounts:otp_setup"), {"resend": "1"})
    assert len(mail.outbox) == 2
    new = _mailed_code("carl@example.org")
    assert new != old
    refused = client.post(
        reverse("accounts:otp_setup"), {"enrolment_code": old, "code": _app_code(client)}
    )
    assert refused.status_code == 400
    accepted = client.post(
        reverse("accounts:otp_setup"), {"enrolment_code": new, "code": _app_code(client)}
    )
    assert accepted.status_code == 302


def test_a_used_code_fails(strict: Any) -> None:
    client, code = _enrolling(strict)
    assert (
        client.post(
            reverse("accounts:otp_setup"), {"enrolment_code": code, "code": _app_code(client)}
        ).status_code
        == 302
    )
    TOTPDevice.objects.filter(user=strict.carl).delete()  # say an administrator reset it
    client.get(reverse("accounts:otp_setup"))  # a new app to set up, and a new code by e-mail
    again = client.post(
        reverse("accounts:otp_setup"), {"enrolment_code": code, "code": _app_code(client)}
    )
    assert again.status_code == 400
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()


def test_five_wrong_codes_use_the_code_up(strict: Any) -> None:
    client, code = _enrolling(strict)
    for _ in range(5):
        client.post(
            reverse("accounts:otp_setup"), {"enrolment_code": "ZZZZ-ZZZZ", "code": "123456"}
        )
    response = client.post(
        reverse("accounts:otp_setup"), {"enrolment_code": code, "code": _app_code(client)}
    )
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()


def test_without_an_e_mail_address_nobody_can_enrol(strict: Any, as_user: Any) -> None:
    strict.carl.email = ""
    strict.carl.save()
    client = as_user(strict.carl)
    page = client.get(reverse("accounts:otp_setup"))
    assert "Der er ikke registreret en e-mailadresse for dig" in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    assert not mail.outbox


def test_setup_refuses_a_wrong_code_next_to_the_field(strict: Any, as_user: Any) -> None:
    client = as_user(strict.carl)
    client.get(reverse("accounts:otp_setup"))
    right = _app_code(client)
    wrong = "111111" if right != "111111" else "222222"
    with override("en"):
        response = client.post(
            reverse("accounts:otp_setup"),
            {"enrolment_code": _mailed_code("carl@example.org"), "code": wrong},
        )
    assert response.status_code == 400
    assert 'id="id_code-error"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=strict.carl).exists()


def test_a_second_device_cannot_be_added_without_the_first(strict: Any, as_user: Any) -> None:
    enrol(strict.carl)
    response = as_user(strict.carl).get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_applicants_are_not_asked_for_a_code(strict: Any, as_user: Any) -> None:
    assert as_user(strict.anna).get(reverse("applications:my_applications")).status_code == 200
